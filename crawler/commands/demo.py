"""`newsarchive demo`: serve the bundled demo site and crawl it into a collection.

The site is served on a fixed port (DEMO_PORT, or --port): its URLs, and so the collection's,
stay the same from one run to the next, and a second `make demo` is an incremental crawl that
fetches only what is not known yet. If the port is taken, that is said in one line and the
command exits 1 having created nothing: falling back to another port would silently make the
next crawl a full one under new URLs.
"""
from __future__ import annotations

import argparse
import sys

from archive.collection import Collection
from crawler.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, add_root, collection_location
from crawler.commands.argtypes import port
from crawler.commands.demo_site import add_template_arguments
from crawler.progress import add_progress_option

HELP = "serve the demo site and crawl it into collection 'demo'"
# not 8000 (python -m http.server, Django), 8080 (pywb's wayback, the summary's next step) or 8888
DEMO_PORT = 8642


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--collection", default="demo", metavar="NAME",
                        help="collection name or path (default: demo)")
    add_root(parser)
    parser.add_argument("--port", type=port, default=DEMO_PORT, metavar="N",
                        help="serve the demo site on this port (default: %d; a collection's URLs "
                             "carry it, so keep it the same from run to run)" % DEMO_PORT)
    # a changed template comes a day later: one edition on unless --edition says otherwise
    add_template_arguments(parser, None)
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    from crawler.commands.crawl import progress_settings
    from crawler.report import print_summary
    from crawler.run_crawl import run_crawl
    from demosite import DemoSite, PortUnavailable

    root, name = collection_location(args.collection, args.root)
    try:
        edition = args.edition if args.edition is not None else int(args.changed_template is not None)
        site = DemoSite(port=args.port, changed_template=args.changed_template, edition=edition).start()
    except PortUnavailable as err:
        print("newsarchive demo: %s (another demo still running? choose a port with --port N)"
              % err.strerror, file=sys.stderr)
        return EXIT_FAILURE
    except ValueError as err:  # an unknown section: the message names the demo's sections
        print("newsarchive demo: %s" % err, file=sys.stderr)
        return EXIT_USAGE
    with site:
        collection = Collection.create(root, name)
        print("demo site serving at %s" % site.url, flush=True)
        report = run_crawl(collection, [site.url], allow_private=True, verbose=args.verbose,
                           overrides=progress_settings(args))
    print_summary(report, collection, sys.stdout)
    return EXIT_OK
