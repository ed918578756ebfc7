"""Article page of a section "relaunched on a new CMS" (`demo-site --changed-template SECTION`).

The story, headline and standfirst are all there, but the relaunch lost the metadata: no JSON-LD,
no author or date meta tags, no byline and no dateline. An archive watching the site should notice
that this section's articles now come out without authors or dates (`newsarchive report`).
"""
from __future__ import annotations

from demosite import statics
from demosite.chrome import esc, page
from demosite.content import SITE_NAME, Article, SiteContent

LEAD_SIZES = "(max-width: 46rem) 100vw, 46rem"


def render(content: SiteContent, article: Article, base: str) -> str:
    """The whole article page (UTF-8, whatever the article's usual encoding)."""
    url = f"{base}{article.path}"
    head = "\n".join([
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(article.title)}">',
        f'<meta property="og:url" content="{esc(url)}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:image" content="{base}{article.image_path}">',
    ])
    paragraphs = "\n".join(f"<p>{p}</p>" for p in article.html_paragraphs)
    lead = statics.lead_img(article.image_path, width=1200, height=675, sizes=LEAD_SIZES)
    body = f"""<div class="relaunch" data-cms="newsroom-next">
<div class="rl-hero"><span class="rl-section">{esc(article.section.name)}</span>
<h1 class="rl-headline">{esc(article.title)}</h1>
<div class="rl-dek">{esc(article.description)}</div></div>
<figure class="rl-figure">{lead}</figure>
<div class="rl-body">
{paragraphs}
</div>
</div>"""
    html = page(title=f"{article.title} | {SITE_NAME}", description=article.description,
                canonical=url, body=body, content=content, current=article.section.slug,
                head_extra=head + "\n", body_class="article-page relaunch-page", og_type="")
    # the relaunch dropped the years of the footer and the tagline too: a date guesser would take
    # "(c) 2026" or "since 1998" for the story's date, and a test could not tell the dates gone
    return html.replace("&copy; 2026 ", "&copy; ").replace(" since 1998", "")
