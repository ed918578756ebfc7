"""Article page imitating a WordPress site on tagDiv's "Newspaper" theme.

Deliberately noisy in the ways such sites are: breadcrumbs, share bar, ad slots, related posts,
reader comments with a reply form, and sidebar widgets that carry their own dates. Metadata is
limited to <meta> tags and OpenGraph; there is no JSON-LD.
"""
from __future__ import annotations

import random
from datetime import timedelta
from urllib.parse import quote

from demosite import statics
from demosite.chrome import esc, long_date
from demosite.content import SITE_DATE, SITE_NAME, Article, SiteContent
from demosite.data_common import COMMENTS

# the main column is two thirds of a 72rem container, less the gap
FEATURED_SIZES = "(max-width: 800px) 100vw, 46rem"
AD = ('<div class="td-a-rec td-a-rec-id-{slot}"><span class="td-adspot-title">'
      "- Advertisment -</span><div class=\"td-ad-placeholder\">Advertisement</div></div>")


def _header(content: SiteContent, article: Article) -> str:
    items = ['<li class="menu-item menu-item-home"><a href="/">Home</a></li>']
    for s in content.sections:
        cls = " current-post-ancestor" if s == article.section else ""
        items.append(f'<li class="menu-item menu-item-type-taxonomy{cls}">'
                     f'<a href="{s.page_path()}">{esc(s.name)}</a></li>')
    items.append('<li class="menu-item"><a href="/about/">About</a></li>')
    return f"""<div class="td-header-wrap td-header-style-1">
<div class="td-header-top-menu-full td-container-wrap"><div class="td-container td-header-row td-header-top-menu">
<div class="top-bar-style-1"><div class="td-header-sp-top-menu"><div class="td_data_time">{SITE_DATE:%A}, {long_date(SITE_DATE)}</div>
<ul class="top-header-menu"><li><a href="/about/">About us</a></li><li><a href="/feed.xml">RSS</a></li></ul></div></div>
</div></div>
<div class="td-banner-wrap-full td-logo-wrap-full td-container-wrap"><div class="td-container td-header-row td-header-header">
<div class="td-header-sp-logo"><a class="td-main-logo" href="/"><span class="td-logo-text">{SITE_NAME}</span><span class="td-tagline-text">Independent news since 1998</span></a></div>
<div class="td-header-sp-recs"><div class="td-header-rec-wrap">{AD.format(slot="header")}</div></div>
</div></div>
<div class="td-header-menu-wrap-full td-container-wrap"><div class="td-header-menu-wrap td-header-gradient"><div class="td-container td-header-row td-header-main-menu">
<div id="td-header-menu" role="navigation"><div class="menu-main-menu-container"><ul id="menu-main-menu" class="sf-menu">{"".join(items)}</ul></div></div>
</div></div></div>
</div>"""


def _module(a: Article, cls: str) -> str:
    return (f'<div class="{cls} td_module_wrap td-animation-stack"><div class="item-details">'
            f'<h3 class="entry-title td-module-title"><a href="{a.path}" rel="bookmark" '
            f'title="{esc(a.title)}">{esc(a.title)}</a></h3><div class="td-module-meta-info">'
            '<span class="td-post-date"><time class="entry-date updated td-module-date" '
            f'datetime="{a.published.isoformat()}">{long_date(a.published)}</time></span>'
            "</div></div></div>")


def _sidebar(content: SiteContent, article: Article) -> str:
    popular = [content.articles[i] for i in (2, 7, 12, 20, 27) if i < len(content.articles)]
    popular = [a for a in popular if a is not article]
    recent = []
    for i, a in enumerate(content.articles[:4]):
        name, _ = COMMENTS[(i * 3) % len(COMMENTS)]
        recent.append(f'<div class="td_recent_comment"><span class="comment-author-link">'
                      f'{esc(name)}</span> on <a href="{a.path}#comment-{a.number + 11}">'
                      f"{esc(a.title)}</a></div>")
    return f"""<div class="td-pb-span4 td-main-sidebar" role="complementary"><div class="td-ss-main-sidebar">
{AD.format(slot="sidebar")}
<div class="td_block_wrap td_block_1 td_block_widget"><div class="td-block-title-wrap"><h4 class="block-title"><span class="td-pulldown-size">Most Popular</span></h4></div>
<div class="td_block_inner">{"".join(_module(a, "td_module_6") for a in popular[:4])}</div></div>
<div class="td_block_wrap td_block_recent_comments td_block_widget"><div class="td-block-title-wrap"><h4 class="block-title"><span>Recent Comments</span></h4></div>
<div class="td_block_inner">{"".join(recent)}</div></div>
</div></div>"""


def _comments(article: Article) -> str:
    rng = random.Random(f"comments:{article.slug}")
    items = []
    for k, (name, text) in enumerate(rng.sample(COMMENTS, 2)):
        cid = article.number + 11 + k
        when = article.published + timedelta(hours=3 * k + 2, minutes=17)
        items.append(f"""<li class="comment even thread-even depth-1" id="comment-{cid}">
<article><footer><cite>{esc(name)}</cite><a href="#comment-{cid}" class="comment-link"><time datetime="{when.isoformat()}">{long_date(when)} At {when:%H:%M}</time></a></footer>
<div class="comment-content"><p>{esc(text)}</p></div>
<div class="comment-meta" id="comment-{cid}-meta"><a rel="nofollow" class="comment-reply-link" href="#comment-{cid}">Reply</a></div></article></li>""")
    return f"""<div class="comments" id="comments">
<div class="td-comments-title-wrap td_block_template_1"><h4 class="block-title"><span>2 COMMENTS</span></h4></div>
<ol class="comment-list">{"".join(items)}</ol>
<div id="respond" class="comment-respond">
<h4 id="reply-title" class="comment-reply-title">LEAVE A REPLY <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h4>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<div class="clearfix"></div>
<div class="comment-form-input-wrap td-form-comment"><textarea placeholder="Please enter your comment!" id="comment" name="comment" cols="45" rows="8" aria-required="true"></textarea><div class="td-warning-comment">Please enter your comment!</div></div>
<div class="comment-form-input-wrap td-form-author"><input class="" id="author" name="author" placeholder="Please enter your name here" type="text" value="" size="30" aria-required="true"><div class="td-warning-author">Please enter your name here</div></div>
<div class="comment-form-input-wrap td-form-email"><input class="" id="email" name="email" placeholder="Email:*" type="text" value="" size="30" aria-required="true"><div class="td-warning-email-error">You have entered an incorrect email address!</div><div class="td-warning-email">Please enter your email address here</div></div>
<div class="comment-form-input-wrap td-form-url"><input class="" id="url" name="url" placeholder="Website:" type="text" value="" size="30"></div>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"><label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"> <input type="hidden" name="comment_post_ID" value="{article.number}" id="comment_post_ID"> <input type="hidden" name="comment_parent" id="comment_parent" value="0"></p>
</form></div></div>"""


def _share(url: str, title: str, where: str) -> str:
    u, t = quote(url, safe=""), quote(title, safe="")
    return (f'<div class="td-post-sharing-{where}"><div class="td-default-sharing">'
            '<a class="td-social-sharing-buttons td-social-facebook" '
            f'href="https://www.facebook.com/sharer.php?u={u}" rel="nofollow">'
            '<i class="td-icon-facebook"></i><div class="td-social-but-text">Share on Facebook'
            "</div></a>"
            '<a class="td-social-sharing-buttons td-social-twitter" '
            f'href="https://twitter.com/intent/tweet?text={t}&amp;url={u}&amp;via=MeridianPost" '
            'rel="nofollow"><i class="td-icon-twitter"></i><div class="td-social-but-text">Tweet'
            "</div></a></div></div>")


def render(content: SiteContent, article: Article, base: str) -> str:
    """The whole article page; encode it with ``article.encoding``."""
    url = f"{base}{article.path}"
    section = article.section
    names = ", ".join(p.name for p in article.authors)
    byline = " and ".join(f'<a href="/author/{p.slug}/">{esc(p.name)}</a>' for p in article.authors)
    paragraphs = [f"<p>{p}</p>" for p in article.html_paragraphs]
    paragraphs.insert(2, AD.format(slot="content_inline"))
    older, newer = content.neighbours(article)
    nav = ""
    if older:
        nav += ('<div class="td-block-span6 td-post-prev-post"><div class="td-post-next-prev-'
                f'content"><span>Previous article</span><a href="{older.path}">'
                f"{esc(older.title)}</a></div></div>")
    if newer:
        nav += ('<div class="td-block-span6 td-post-next-post"><div class="td-post-next-prev-'
                f'content"><span>Next article</span><a href="{newer.path}">'
                f"{esc(newer.title)}</a></div></div>")
    tags = "".join(f'<li><a href="/tag/{t}/">{esc(t.replace("-", " ").upper())}</a></li>'
                   for t in article.tags)
    related = "".join(_module(a, "td_module_related_posts") for a in content.related(article))
    body_html = "\n".join(paragraphs)
    lead = statics.lead_img(article.image_path, width=696, height=392, sizes=FEATURED_SIZES,
                            attrs=f'class="entry-thumb" title="{esc(article.title)}"')
    return f"""<!doctype html >
<!--[if IE 8]>    <html class="ie8" lang="en"> <![endif]-->
<!--[if IE 9]>    <html class="ie9" lang="en"> <![endif]-->
<!--[if gt IE 8]><!--> <html lang="en-US"> <!--<![endif]-->
<head>
    <title>{esc(article.title)} | {SITE_NAME}</title>
    <meta charset="{article.encoding}" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="pingback" href="{base}/xmlrpc.php" />
    <meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1">
    <meta name="author" content="{esc(names)}">
    <meta name="description" content="{esc(article.description)}">
    <link rel="canonical" href="{url}" />
    <meta property="og:locale" content="en_US" />
    <meta property="og:type" content="article" />
    <meta property="og:title" content="{esc(article.title)}" />
    <meta property="og:description" content="{esc(article.description)}" />
    <meta property="og:url" content="{url}" />
    <meta property="og:site_name" content="{SITE_NAME}" />
    <meta property="article:published_time" content="{article.published.isoformat()}" />
    <meta property="article:modified_time" content="{article.modified.isoformat()}" />
    <meta property="og:image" content="{base}{article.image_path}" />
    <link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="/feed.xml" />
    <link rel='stylesheet' id='td-theme-css' href='{statics.STYLESHEET}' type='text/css' media='all' />
    <link rel="icon" href="{statics.FAVICON}" sizes="32x32" />
    <script type="text/javascript" src="{statics.SCRIPT}" id="td-site-js" defer></script>
</head>
<body class="post-template-default single single-post postid-{article.number} single-format-standard category-{section.slug} td-standard-pack global-block-template-1 td-full-layout" itemscope="itemscope" itemtype="https://schema.org/WebPage">
<div class="td-scroll-up"><i class="td-icon-menu-up"></i></div>
<div id="td-outer-wrap" class="td-theme-wrap">
{_header(content, article)}
<div class="td-main-content-wrap td-container-wrap">
<div class="td-container td-post-template-default">
<div class="td-crumb-container"><div class="entry-crumbs"><span><a title="" class="entry-crumb" href="/">Home</a></span> <i class="td-icon-right td-bread-sep"></i> <span><a title="View all posts in {esc(section.name)}" class="entry-crumb" href="{section.page_path()}">{esc(section.name)}</a></span> <i class="td-icon-right td-bread-sep td-bred-no-url-last"></i> <span class="td-bred-no-url-last">{esc(article.title)}</span></div></div>
<div class="td-pb-row">
<div class="td-pb-span8 td-main-content" role="main"><div class="td-ss-main-content">
<article id="post-{article.number}" class="post-{article.number} post type-post status-publish format-standard has-post-thumbnail category-{section.slug}">
<div class="td-post-header">
<ul class="td-category"><li class="entry-category"><a href="{section.page_path()}">{esc(section.name)}</a></li></ul>
<header class="td-post-title">
<h1 class="entry-title">{esc(article.title)}</h1>
<p class="td-post-sub-title">{esc(article.description)}</p>
<div class="td-module-meta-info">
<div class="td-post-author-name">By {byline}</div>
<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{article.published.isoformat()}" >{long_date(article.published)}</time></span>
<div class="td-post-comments"><a href="#respond"><i class="td-icon-comments"></i>2</a></div>
<div class="td-post-views"><i class="td-icon-views"></i><span class="td-nr-views-{article.number}">{(article.number * 37) % 4000 + 600:,}</span></div>
</div>
</header>
</div>
{_share(url, article.title, "top")}
<div class="td-post-content tagdiv-type">
<div class="td-post-featured-image">{lead}</div>
{body_html}
</div>
<footer>
<div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix"><li><span>TAGS</span></li>{tags}</ul></div>
{_share(url, article.title, "bottom")}
<div class="td-block-row td-post-next-prev">{nav}</div>
</footer>
</article>
<div class="td_block_wrap td_block_related_posts"><h4 class="td-related-title td-block-title"><a id="related-posts" class="td-related-left td-cur-simple-item" href="#related-posts">RELATED ARTICLES</a><a class="td-related-right" href="/author/{article.authors[0].slug}/">MORE FROM AUTHOR</a></h4>
<div class="td_block_inner">{related}</div></div>
{_comments(article)}
</div></div>
{_sidebar(content, article)}
</div>
</div>
</div>
<div class="td-footer-wrapper td-container-wrap"><div class="td-container"><div class="td-pb-row"><div class="td-pb-span12">
<div class="td-footer-info"><div class="footer-logo-wrap"><a href="/">{SITE_NAME}</a></div><div class="footer-text-wrap">{SITE_NAME} is an independent newsroom covering world affairs, business and science.<div class="footer-email-wrap">Contact us: <a href="mailto:newsroom@meridianpost.example">newsroom@meridianpost.example</a></div></div></div>
</div></div></div></div>
<div class="td-sub-footer-container td-container-wrap"><div class="td-container"><div class="td-pb-row">
<div class="td-pb-span td-sub-footer-menu"><ul class="td-subfooter-menu"><li><a href="/about/">About</a></li><li><a href="/sitemap.xml">Sitemap</a></li><li><a href="/feed.xml">RSS</a></li></ul></div>
<div class="td-pb-span td-sub-footer-copy">&copy; Copyright 2026 - {SITE_NAME}. All rights reserved.</div>
</div></div></div>
</div><!--close td-outer-wrap-->
<script type="text/javascript">var tdBlocksArray = []; var tdLocalCache = {{}};</script>
</body>
</html>
"""
