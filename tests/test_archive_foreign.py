"""archive/reader.py on WARCs other tools write: wget, warcio, Heritrix, browsertrix, byte by byte.

Each sample is a list of records; `pack` lays them out plain, one gzip member a record (wget,
warcio), two records a member, or the whole file as one gzip stream (tools that gzip the
file afterwards). The tests in test_crawler_replay_foreign.py replay the same samples.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import logging
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.exceptions import WarcFormatError
from archive.reader import ArchivedResponse, ReadReport, iter_responses, read_record_at

PACKINGS = ["plain", "gzip-per-record", "gzip-pairs", "gzip-stream"]


# -- articles --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Article:
    url: str
    title: str
    author: str
    published: str
    paragraphs: tuple[str, ...]

    def html(self, meta_charset: str | None = "utf-8") -> str:
        meta = '<meta charset="%s">' % meta_charset if meta_charset else ""
        body = "\n".join("<p>%s</p>" % p for p in self.paragraphs)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head>%s<title>%s</title>\n'
            '<meta property="og:type" content="article">\n'
            '<meta property="og:title" content="%s">\n'
            '<meta name="author" content="%s">\n'
            '<meta property="article:published_time" content="%s">\n'
            '</head><body><header><nav><a href="/">Home</a> <a href="/local/">Local</a></nav>'
            '</header>\n'
            '<article><h1>%s</h1><p class="byline">By %s</p>\n%s\n</article>\n'
            "<footer>Contact the newsroom</footer></body></html>\n"
        ) % (meta, self.title, self.title, self.author, self.published, self.title, self.author,
             body)

    def body(self, charset: str = "utf-8", meta_charset: str | None = "utf-8") -> bytes:
        return self.html(meta_charset).encode(charset)


FERRY = Article(
    "http://harbour.example/news/2024/03/ferry-returns-after-winter-repairs",
    "Ferry returns to service after winter repairs", "Ingrid Holm", "2024-03-04T08:00:00+01:00", (
        "The passenger ferry that links the old harbour with the island villages returned to "
        "service on Monday morning after eleven weeks in dry dock, where engineers replaced both "
        "propeller shafts and rebuilt the worn steering gear.",
        "Captain Ingrid Sandvik, who has commanded the vessel for nine seasons, said the first "
        "crossing carried forty-two commuters, three cyclists and a delivery van loaded with "
        "bread for the island school. It felt, she said, as if the whole coast had been holding "
        "its breath.",
        "During the repairs, islanders relied on a chartered fishing boat that could take only "
        "twelve passengers and no vehicles. Several residents described leaving home before dawn "
        "to secure a seat, and the village doctor held surgeries by video link for most of "
        "February.",
        "The harbour authority put the cost of the work at 1.8 million crowns, roughly a third "
        "more than budgeted, because corrosion around the rudder stock turned out to be far worse "
        "than the spring survey had suggested.",
        "Timetables for the summer will add two late sailings on Fridays and Saturdays, a change "
        "that restaurant owners on the island have requested for years. The authority said it "
        "would review passenger numbers in August before deciding whether to keep them.",
        "A second ferry, ordered from a shipyard in the north last autumn, is due to arrive in "
        "two years. Until then the repaired vessel remains the only regular link, and the "
        "authority has promised to keep a replacement boat on standby for any future breakdown.",
    ))

LIBRARY = Article(
    "https://city.example/culture/library-extends-evening-opening-hours",
    "Library extends evening opening hours across three branches", "Tomasz Lewandowski",
    "2024-05-16T17:30:00+02:00", (
        "The city library will stay open until nine in the evening at its central, riverside and "
        "eastern branches from next month, the culture committee decided on Thursday after a "
        "pilot scheme drew more visitors than any programme in the past decade.",
        "During the six-month trial at the central branch, evening visits rose steadily from an "
        "average of ninety people a night to more than three hundred, with students, shift "
        "workers and parents of young children making up the largest groups.",
        "Head librarian Tomasz Wierzbicki told the committee that the quiet reading rooms filled "
        "up first each night, followed by the study carrels on the second floor. Demand for the "
        "two recording booths, installed for podcasters and language learners, outstripped supply.",
        "The extended hours will cost an estimated 640,000 a year, mostly for additional staff. "
        "The committee rejected a proposal to rely on self-service machines late at night, "
        "arguing that a library without librarians would lose much of what visitors value.",
        "Opposition councillors supported the plan but asked why the northern branch, which "
        "serves the district with the lowest household incomes, had been left out. The committee "
        "chair promised a separate review of that building, whose heating system needs replacing.",
        "Evening events such as author readings, chess clubs and homework help will move from "
        "Saturday afternoons to weeknights. The library expects to publish the new programme, "
        "including a series of talks on local history, in the first week of the coming month.",
    ))

BAKERY = Article(
    "http://altstadt.example/lokales/baeckerei-mueller-feiert-fuenfzig-jahre",
    "Bäckerei Müller celebrates fifty years of rye bread", "Renate Weiß",
    "2024-09-21T06:00:00+02:00", (
        "When Jürgen Müller opened his bakery on the narrow Gerberstraße in 1974, the "
        "neighbourhood had two butchers, a cobbler and a cinema that showed westerns on Sunday "
        "afternoons. Only the bakery is still there, and on Saturday it marked its fiftieth "
        "anniversary with free slices of the dark rye that made its name.",
        "His daughter, Renée Müller-Garçon, took over the ovens in 2009 after training in Lyon "
        "and Zürich. She kept the sourdough starter her father brought from his grandmother's "
        "farm, a jar that the family claims has been fed every single day for more than eighty "
        "years.",
        "Regular customers queued from six in the morning. Señora Ibáñez, who has bought a loaf "
        "every Friday since she moved to the street in the eighties, said the smell of caraway "
        "reaching her window still tells her the week is nearly over.",
        "The anniversary has not come without worries. Flour prices rose by almost forty per cent "
        "over two winters, and the bakery now closes on Mondays to save energy. Renée would "
        "rather shorten the week than replace the wood-fired oven with an electric one.",
        "Local historians have mounted a small exhibition in the shop window, with photographs of "
        "the street's market days, a ration card from the years after the war and the original "
        "price list, on which a kilo of bread cost less than a tram ticket.",
        "Asked about the next fifty years, Renée pointed to her apprentice, a nineteen-year-old "
        "from the suburbs who arrives at three each morning. If she still loves the work after "
        "one more winter of early starts, the starter will have a new keeper.",
    ))

ORCHARD = Article(
    "https://valley.example/farming/2024/10/orchard-cooperative-record-apple-harvest",
    "Orchard cooperative reports its largest apple harvest in a decade", "Aoife Gallagher",
    "2024-10-29T10:15:00+01:00", (
        "The hillside orchard cooperative announced on Tuesday that its members picked just over "
        "4,200 tonnes of apples this autumn, the largest harvest in ten years and nearly double "
        "the frost-damaged crop of two seasons ago.",
        "Growers credited a mild, dry flowering period in April and the nets that the cooperative "
        "bought with a regional grant, which protected the fruit from two hailstorms in July that "
        "flattened maize fields across the valley.",
        "The surplus has created its own problems. Cold storage at the cooperative's packing "
        "house is full, and managers have rented refrigerated containers from the port to hold "
        "late varieties such as Topaz and Pinova until the winter markets open.",
        "Chairwoman Aoife Brennan said prices paid to growers would still fall slightly because "
        "supermarket chains had cut their offers once the size of the European harvest became "
        "clear. She urged shoppers to look for regional labels rather than imported fruit.",
        "Part of the crop will go into juice and cider. A new pressing line, commissioned in "
        "September, can process twelve tonnes an hour, and the cooperative plans to sell "
        "unfiltered juice in returnable glass bottles at farmers' markets from December.",
        "Younger members are experimenting with scab-resistant varieties that need fewer sprays. "
        "Their trial rows, planted five years ago, produced their first full crop this year, and "
        "tastings organised for local schools will decide which of them are planted more widely.",
    ))

NIGHT_TRAIN = Article(
    "http://rail.example/travel/night-trains-to-the-mountains-resume-in-december",
    "Night trains to the mountains resume in December", "Paolo Ferraris",
    "2024-11-06T12:00:00+01:00", (
        "Overnight trains between the coastal capital and the mountain resorts will run again "
        "from the middle of December, ending a four-year pause that began when the previous "
        "operator retired its ageing sleeping cars.",
        "The new service will leave the central station at half past ten each evening and reach "
        "the highest stop on the line shortly after seven, with a connection to the ski buses "
        "waiting outside the station building.",
        "Each train will carry two sleeping cars with private compartments, a couchette car and a "
        "carriage with reclining seats. A small bistro will serve soup, sandwiches and breakfast, "
        "although the operator admitted that hot meals had been ruled out for now.",
        "Ticket prices start at the cost of a reclining seat, roughly the same as a tank of "
        "petrol for the drive, and rise for compartments with a shower. Early bookings, opened on "
        "Wednesday, sold out the first three weekends within hours.",
        "Environmental groups welcomed the return of the service, noting that the mountain road "
        "is closed for avalanche clearance on several days each winter. Hoteliers in the resorts "
        "said guests arriving by train tend to stay longer and spend more in the villages.",
        "The transport ministry has guaranteed the operator a subsidy for five years. After that "
        "the line must cover its own costs, and officials said they would watch occupancy "
        "closely, particularly in the spring when the snow melts and demand usually drops.",
    ))

FOOTBRIDGE = Article(
    "http://parish.example/news/volunteers-rebuild-footbridge-over-mill-stream",
    "Volunteers rebuild the footbridge over the mill stream", "Maria Oyelaran",
    "2024-06-09T18:45:00+01:00", (
        "Volunteers from three villages finished rebuilding the wooden footbridge over the mill "
        "stream on Sunday, reopening a walking route that had been closed since floodwater tore "
        "away two of its supports in the spring.",
        "The work took eight weekends. Carpenters among the volunteers cut new oak beams from a "
        "fallen tree donated by a local estate, while schoolchildren painted the handrails in "
        "colours chosen by a vote at the village hall.",
        "The parish council had been quoted more than thirty thousand for a contractor to do the "
        "job, money it simply did not have. The volunteers spent less than a fifth of that, "
        "mostly on stainless steel bolts and a few bags of concrete.",
        "Walkers use the bridge to reach the railway halt on the far side of the valley, and "
        "parents had complained that the detour along the main road, which has no pavement, "
        "forced children to walk beside lorries on their way to school.",
        "An engineer from the county checked the finished structure on Saturday and approved it "
        "for public use, though she recommended inspecting the footings after every major flood. "
        "The volunteers have agreed to carry out those checks themselves.",
        "A small ceremony on Sunday afternoon ended with the oldest resident of the nearest "
        "village, who is ninety-four, cutting a ribbon made from old bunting. She recalled "
        "crossing the original bridge as a girl to deliver milk to the mill.",
    ))


# -- bytes -----------------------------------------------------------------------------------------
def warc(version: str, fields: list[tuple[str, str]], block: bytes) -> bytes:
    """One WARC record: version line, fields, Content-Length, blank line, block, two CRLFs."""
    head = "WARC/%s\r\n" % version + "".join("%s: %s\r\n" % kv for kv in fields)
    head += "Content-Length: %d\r\n\r\n" % len(block)
    return head.encode("latin-1") + block + b"\r\n\r\n"


def http_head(first_line: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [first_line] + ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunked(data: bytes, sizes: tuple[int, ...] = (700, 1500), extension: str = "") -> bytes:
    """Chunk framing as a server sends it (sizes cycle; an extension on the first chunk)."""
    out, pos, i = [], 0, 0
    while pos < len(data):
        size = sizes[i % len(sizes)]
        piece = data[pos:pos + size]
        out.append(b"%x%s\r\n%s\r\n" % (len(piece), extension.encode() if i == 0 else b"", piece))
        pos, i = pos + size, i + 1
    return b"".join(out) + b"0\r\n\r\n"


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def sha256_hex(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


IDENTICAL_1_0 = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
NOT_MODIFIED_1_0 = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
REVISIT_1_1 = "http://netpreserve.org/warc/1.1/revisit/"


def rid(n: int) -> str:
    return "<urn:uuid:00000000-0000-4000-8000-%012d>" % n


@dataclass(frozen=True)
class Expect:
    """A response iter_responses must yield."""

    url: str
    status: int
    body: bytes  # decoded
    record_id: str  # of the record it comes from (a revisit's own id)
    content_type: str = "text/html"
    charset: str | None = None
    refers_to: str | None = None  # the original's record id, for a revisit
    headers: tuple[tuple[str, str], ...] = ()  # some headers that must be there, as stored


@dataclass
class Sample:
    name: str
    records: list[bytes] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    expected: list[Expect] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)  # the items a replay makes of it
    aliases: dict[str, str] = field(default_factory=dict)  # alias URL -> article URL

    def add(self, record: bytes, record_id: str = "") -> None:
        self.records.append(record)
        self.ids.append(record_id)


@dataclass(frozen=True)
class Place:
    offset: int
    length: int
    shared: bool  # the record shares its gzip member with others


def pack(records: list[bytes], packing: str) -> tuple[bytes, list[Place]]:
    """The file's bytes and where a reader should place each record."""
    if packing == "plain":
        places, offset = [], 0
        for record in records:
            places.append(Place(offset, len(record) - 4, False))  # warcio: without the CRLFs
            offset += len(record)
        return b"".join(records), places
    size = {"gzip-per-record": 1, "gzip-pairs": 2, "gzip-stream": len(records)}[packing]
    out, places, offset = [], [], 0
    for i in range(0, len(records), size):
        group = records[i:i + size]
        member = gzip.compress(b"".join(group), mtime=0)
        places.extend(Place(offset, len(member), len(group) > 1) for _ in group)
        out.append(member)
        offset += len(member)
    return b"".join(out), places


def write_sample(directory: Path, sample: Sample, packing: str) -> tuple[Path, list[Place]]:
    data, places = pack(sample.records, packing)
    suffix = ".warc" if packing == "plain" else ".warc.gz"
    path = directory / ("%s-%s%s" % (sample.name, packing, suffix))
    path.write_bytes(data)
    return path, places


def warcinfo(version: str, n: int, software: str, filename: str) -> bytes:
    block = ("software: %s\r\nformat: WARC File Format %s\r\nhostname: crawler.example\r\n"
             % (software, version)).encode()
    return warc(version, [("WARC-Type", "warcinfo"), ("WARC-Date", "2024-03-04T07:00:00Z"),
                          ("WARC-Filename", filename), ("WARC-Record-ID", rid(n)),
                          ("Content-Type", "application/warc-fields")], block)


def request_record(version: str, n: int, url: str, date: str, concurrent: str, target: str = "",
                   angle: bool = False) -> bytes:
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    block = http_head("GET %s HTTP/1.1" % path, [("User-Agent", "Test/1.0"), ("Accept", "*/*"),
                                                   ("Host", host), ("Connection", "Keep-Alive")])
    return warc(version, [
        ("WARC-Type", "request"), ("WARC-Target-URI", "<%s>" % url if angle else url),
        ("WARC-Date", date), ("WARC-Concurrent-To", concurrent), ("WARC-Record-ID", rid(n)),
        ("Content-Type", "application/http;msgtype=request")], block)


def response_record(version: str, n: int, url: str, date: str, head: bytes, payload: bytes,
                    extra: list[tuple[str, str]] = (), angle: bool = False,
                    digest: str = "") -> bytes:
    return warc(version, [
        ("WARC-Type", "response"), ("WARC-Record-ID", rid(n)), ("WARC-Date", date),
        ("WARC-Target-URI", "<%s>" % url if angle else url),
        ("WARC-Payload-Digest", digest or sha1_b32(payload)), *extra,
        ("Content-Type", "application/http;msgtype=response")], head + payload)


# -- the samples -----------------------------------------------------------------------------------
def wget_sample() -> Sample:
    """wget 1.x: WARC/1.0, <uri> in angle brackets, request before response, chunk framing kept,
    a --warc-dedup revisit, its manifest/arguments/log records."""
    v = "1.0"
    s = Sample("wget")
    s.add(warcinfo(v, 1, "Wget/1.21.4 (linux-gnu)", "wget.warc.gz"), rid(1))
    body = FERRY.body()
    head = http_head("HTTP/1.1 200 OK", [
        ("Date", "Mon, 04 Mar 2024 07:10:00 GMT"), ("Server", "nginx"),
        ("Content-Type", "text/html; charset=UTF-8"), ("Transfer-Encoding", "chunked"),
        ("Connection", "keep-alive")])
    wire = chunked(body)
    s.add(request_record(v, 2, FERRY.url, "2024-03-04T07:10:00Z", rid(3), angle=True), rid(2))
    s.add(response_record(v, 3, FERRY.url, "2024-03-04T07:10:00Z", head, wire,
                          [("WARC-Concurrent-To", rid(2)), ("WARC-IP-Address", "192.0.2.10")],
                          angle=True, digest=sha1_b32(body)), rid(3))
    s.expected.append(Expect(FERRY.url, 200, body, rid(3), charset="UTF-8",
                             headers=(("Transfer-Encoding", "chunked"),)))
    # the same page fetched again under its print URL: wget --warc-dedup writes a revisit
    print_url = FERRY.url + "-print"
    rhead = http_head("HTTP/1.1 200 OK", [("Content-Type", "text/html; charset=UTF-8"),
                                          ("Transfer-Encoding", "chunked")])
    s.add(request_record(v, 4, print_url, "2024-03-04T07:11:00Z", rid(5), angle=True), rid(4))
    s.add(warc(v, [("WARC-Type", "revisit"), ("WARC-Target-URI", "<%s>" % print_url),
                   ("WARC-Date", "2024-03-04T07:11:00Z"), ("WARC-Record-ID", rid(5)),
                   ("WARC-Refers-To", rid(3)), ("WARC-Truncated", "length"),
                   ("WARC-Profile", IDENTICAL_1_0),
                   ("WARC-Payload-Digest", sha1_b32(body)),
                   ("Content-Type", "application/http;msgtype=response")], rhead), rid(5))
    s.expected.append(Expect(print_url, 200, body, rid(5), charset="UTF-8", refers_to=rid(3)))
    # a 404 and robots.txt: responses, not articles
    missing = b"<html><body><h1>Not Found</h1></body></html>"
    s.add(response_record(v, 6, "http://harbour.example/gone", "2024-03-04T07:12:00Z",
                          http_head("HTTP/1.1 404 Not Found",
                                    [("Content-Type", "text/html"),
                                     ("Content-Length", str(len(missing)))]),
                          missing, angle=True), rid(6))
    s.expected.append(Expect("http://harbour.example/gone", 404, missing, rid(6)))
    robots = b"User-agent: *\nDisallow: /admin/\n"
    s.add(response_record(v, 7, "http://harbour.example/robots.txt", "2024-03-04T07:09:59Z",
                          http_head("HTTP/1.1 200 OK", [("Content-Type", "text/plain")]), robots,
                          angle=True), rid(7))
    s.expected.append(Expect("http://harbour.example/robots.txt", 200, robots, rid(7),
                             content_type="text/plain"))
    manifest = b"metadata://gnu.org/software/wget/warc/wget_arguments.txt\n"
    s.add(warc(v, [("WARC-Type", "metadata"), ("WARC-Record-ID", rid(8)),
                   ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/MANIFEST.txt"),
                   ("WARC-Date", "2024-03-04T07:12:30Z"), ("Content-Type", "text/plain")],
               manifest), rid(8))
    args = b'"wget" "--warc-file=wget" "--warc-dedup=old.cdx" "http://harbour.example/"\n'
    s.add(warc(v, [("WARC-Type", "resource"), ("WARC-Record-ID", rid(9)),
                   ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/wget_arguments.txt"),
                   ("WARC-Date", "2024-03-04T07:12:30Z"), ("Content-Type", "text/plain")],
               args), rid(9))
    log = (b"--2024-03-04 08:10:00--  http://harbour.example/\n"
           b"HTTP request sent, awaiting response... 200 OK\n")
    s.add(warc(v, [("WARC-Type", "resource"), ("WARC-Record-ID", rid(10)),
                   ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/wget.log"),
                   ("WARC-Date", "2024-03-04T07:12:31Z"), ("Content-Type", "text/plain")],
               log), rid(10))
    s.articles.append(FERRY)
    s.aliases[print_url] = FERRY.url
    return s


def warcio_sample() -> Sample:
    """warcio's capture_http: WARC/1.1, response before request, a gzip body chunk-framed as
    it came, lower-case header names (an HTTP/2-era server), a redirect to the article."""
    v = "1.1"
    s = Sample("warcio")
    s.add(warcinfo(v, 21, "warcio.py/1.7.4", "warcio.warc.gz"), rid(21))
    old_url = "https://city.example/news/library-evening-hours"
    moved = http_head("HTTP/1.1 301 Moved Permanently", [("location", LIBRARY.url),
                                                         ("content-length", "0")])
    s.add(response_record(v, 22, old_url, "2024-05-16T18:00:00Z", moved, b""), rid(22))
    s.expected.append(Expect(old_url, 301, b"", rid(22), content_type="",
                             headers=(("location", LIBRARY.url),)))
    s.add(request_record(v, 23, old_url, "2024-05-16T18:00:00Z", rid(22)), rid(23))
    body = LIBRARY.body()
    wire = chunked(gzip.compress(body, mtime=0), sizes=(512, 100, 4096), extension=";name=value")
    head = http_head("HTTP/1.1 200 OK", [
        ("date", "Thu, 16 May 2024 18:00:01 GMT"), ("content-type", "text/html; charset=utf-8"),
        ("content-encoding", "gzip"), ("transfer-encoding", "chunked"),
        ("vary", "Accept-Encoding")])
    s.add(response_record(v, 24, LIBRARY.url, "2024-05-16T18:00:01Z", head, wire), rid(24))
    s.expected.append(Expect(LIBRARY.url, 200, body, rid(24), charset="utf-8",
                             headers=(("content-encoding", "gzip"),)))
    s.add(request_record(v, 25, LIBRARY.url, "2024-05-16T18:00:01Z", rid(24)), rid(25))
    s.articles.append(LIBRARY)
    s.aliases[old_url] = LIBRARY.url
    return s


def heritrix_sample() -> Sample:
    """Heritrix 3: WARC/1.0, sha1 base32 digests, dns: records, response then request then
    metadata, HTTP/1.0, a latin-1 page, revisits by digest and server-not-modified (304)."""
    v = "1.0"
    s = Sample("heritrix")
    s.add(warcinfo(v, 41, "Heritrix/3.4.0-20220727 http://crawler.archive.org", "heritrix.warc.gz"),
          rid(41))
    dns = b"20240921040000\naltstadt.example.\t300\tIN\tA\t192.0.2.44\n"
    # Heritrix writes dns: lookups as response records; some tools as resource records
    for n, kind in ((42, "response"), (43, "resource")):
        s.add(warc(v, [("WARC-Type", kind), ("WARC-Target-URI", "dns:altstadt.example"),
                       ("WARC-Date", "2024-09-21T04:00:00Z"),
                       ("WARC-Payload-Digest", sha1_b32(dns)),
                       ("WARC-IP-Address", "192.0.2.53"), ("WARC-Record-ID", rid(n)),
                       ("Content-Type", "text/dns")], dns), rid(n))
    body = BAKERY.body("latin-1", meta_charset=None)
    head = http_head("HTTP/1.0 200 OK", [
        ("Server", "Apache/2.4.41"), ("Last-Modified", "Sat, 21 Sep 2024 03:55:00 GMT"),
        ("ETag", '"5f3a-62b1"'), ("Content-Type", 'text/html; Charset="ISO-8859-1"'),
        ("Content-Length", str(len(body)))])
    s.add(response_record(v, 44, BAKERY.url, "2024-09-21T04:00:01Z", head, body,
                          [("WARC-IP-Address", "192.0.2.44")]), rid(44))
    s.expected.append(Expect(BAKERY.url, 200, body, rid(44), charset="ISO-8859-1"))
    s.add(request_record(v, 45, BAKERY.url, "2024-09-21T04:00:01Z", rid(44)), rid(45))
    outlinks = ("via: http://altstadt.example/\r\nhopsFromSeed: L\r\nfetchTimeMs: 41\r\n"
                "outlink: http://altstadt.example/lokales/ L a/@href\r\n").encode()
    s.add(warc(v, [("WARC-Type", "metadata"), ("WARC-Target-URI", BAKERY.url),
                   ("WARC-Date", "2024-09-21T04:00:01Z"), ("WARC-Concurrent-To", rid(44)),
                   ("WARC-Record-ID", rid(46)), ("Content-Type", "application/warc-fields")],
               outlinks), rid(46))
    # the next day: a conditional request answered 304, archived as server-not-modified
    nm = http_head("HTTP/1.0 304 Not Modified", [("Date", "Sun, 22 Sep 2024 04:00:00 GMT"),
                                                  ("ETag", '"5f3a-62b1"')])
    s.add(warc(v, [("WARC-Type", "revisit"), ("WARC-Target-URI", BAKERY.url),
                   ("WARC-Date", "2024-09-22T04:00:00Z"), ("WARC-Record-ID", rid(47)),
                   ("WARC-Profile", NOT_MODIFIED_1_0),
                   ("WARC-Refers-To-Target-URI", BAKERY.url),
                   ("WARC-Refers-To-Date", "2024-09-21T04:00:01Z"),
                   ("Content-Type", "application/http;msgtype=response")], nm), rid(47))
    s.expected.append(Expect(BAKERY.url, 200, body, rid(47), charset="ISO-8859-1",
                             refers_to=rid(44), headers=(("ETag", '"5f3a-62b1"'),)))
    # the same page under a mirror URL: identical payload, found by its digest
    mirror = "http://www.altstadt.example/lokales/baeckerei-mueller-feiert-fuenfzig-jahre"
    s.add(warc(v, [("WARC-Type", "revisit"), ("WARC-Target-URI", mirror),
                   ("WARC-Date", "2024-09-22T04:01:00Z"), ("WARC-Payload-Digest", sha1_b32(body)),
                   ("WARC-Record-ID", rid(48)), ("WARC-Truncated", "length"),
                   ("WARC-Profile", IDENTICAL_1_0),
                   ("Content-Type", "application/http;msgtype=response")], head), rid(48))
    s.expected.append(Expect(mirror, 200, body, rid(48), charset="ISO-8859-1", refers_to=rid(44)))
    s.articles.append(BAKERY)
    s.aliases[mirror] = BAKERY.url
    return s


def browsertrix_sample(brotli: object) -> Sample:
    """browsertrix-crawler: WARC/1.1, WARC-Page-ID and WARC-JSON-Metadata, sha256 digests,
    a brotli body, a status line without reason phrase, urn:pageinfo: resource records."""
    v = "1.1"
    s = Sample("browsertrix")
    software = "Browsertrix-Crawler 1.3.0 (with warcio.js 2.3.1)"
    s.add(warcinfo(v, 61, software, "rec-1.warc.gz"), rid(61))
    page_id = "0b4ed2a1-0bd8-4e5b-9d6c-2f8a8c9e7d11"
    body = ORCHARD.body()
    wire = brotli.compress(body)  # type: ignore[attr-defined]
    head = http_head("HTTP/1.1 200", [
        ("content-type", 'Text/HTML; charset="UTF-8"'), ("content-encoding", "br"),
        ("content-length", str(len(wire))), ("cache-control", "max-age=600")])
    meta = '{"ipType":"public","cert":{"issuer":"R11","ctime":"2024-09-01T00:00:00.000Z"}}'
    bt = [("WARC-Page-ID", page_id), ("WARC-JSON-Metadata", meta)]
    s.add(response_record(v, 62, ORCHARD.url, "2024-10-29T10:20:00.123Z", head, wire, bt,
                          digest=sha256_hex(wire)), rid(62))
    s.expected.append(Expect(ORCHARD.url, 200, body, rid(62), charset="UTF-8",
                             headers=(("content-encoding", "br"),)))
    s.add(request_record(v, 63, ORCHARD.url, "2024-10-29T10:20:00.123Z", rid(62)), rid(63))
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    image = "https://valley.example/img/orchard.png"
    s.add(response_record(v, 64, image, "2024-10-29T10:20:00.400Z",
                          http_head("HTTP/1.1 200", [("content-type", "image/png")]), png, bt,
                          digest=sha256_hex(png)), rid(64))
    s.expected.append(Expect("https://valley.example/img/orchard.png", 200, png, rid(64),
                             content_type="image/png"))
    info = ('{"pageid":"%s","url":"%s","ts":"2024-10-29T10:20:00.123Z","urls":{}}'
            % (page_id, ORCHARD.url)).encode()
    s.add(warc(v, [("WARC-Type", "resource"), ("WARC-Target-URI", "urn:pageinfo:" + ORCHARD.url),
                   ("WARC-Date", "2024-10-29T10:20:02Z"), ("WARC-Record-ID", rid(65)),
                   ("WARC-Page-ID", page_id), ("WARC-Resource-Type", "pageinfo"),
                   ("Content-Type", "application/json")], info), rid(65))
    text = " ".join(ORCHARD.paragraphs).encode()
    s.add(warc(v, [("WARC-Type", "resource"), ("WARC-Target-URI", "urn:text:" + ORCHARD.url),
                   ("WARC-Date", "2024-10-29T10:20:02Z"), ("WARC-Record-ID", rid(66)),
                   ("Content-Type", "text/plain")], text), rid(66))
    s.articles.append(ORCHARD)
    return s


def odd_records_sample() -> Sample:
    """Records replay must read past (conversion, continuation, a segmented response), a
    revisit that comes before its original, HTTP/1.1 without reason phrase, a gzip body
    whose Content-Encoding a browser-based tool kept although it stored the body decoded."""
    v = "1.1"
    s = Sample("odd")
    s.add(warcinfo(v, 81, "some-tool/0.1", "odd.warc"), rid(81))
    body = NIGHT_TRAIN.body()
    amp = NIGHT_TRAIN.url.replace("/travel/", "/amp/travel/")
    head = http_head("HTTP/1.1 200", [("Content-Type", "text/html;charset=utf-8")])
    s.add(warc(v, [("WARC-Type", "revisit"), ("WARC-Target-URI", amp),
                   ("WARC-Date", "2024-11-06T12:05:00Z"), ("WARC-Record-ID", rid(82)),
                   ("WARC-Refers-To", rid(83)), ("WARC-Payload-Digest", sha1_b32(body)),
                   ("WARC-Profile", REVISIT_1_1 + "identical-payload-digest"),
                   ("Content-Type", "application/http;msgtype=response")], head), rid(82))
    s.add(response_record(v, 83, NIGHT_TRAIN.url, "2024-11-06T12:06:00Z", head, body), rid(83))
    s.expected.append(Expect(NIGHT_TRAIN.url, 200, body, rid(83), charset="utf-8"))
    s.add(warc(v, [("WARC-Type", "conversion"), ("WARC-Target-URI", NIGHT_TRAIN.url),
                   ("WARC-Date", "2024-11-07T00:00:00Z"), ("WARC-Record-ID", rid(84)),
                   ("WARC-Refers-To", rid(83)), ("Content-Type", "text/plain")],
               " ".join(NIGHT_TRAIN.paragraphs[:2]).encode()), rid(84))
    # a response split in two segments: its first part alone is not the page
    big = FOOTBRIDGE.body()
    part_head = http_head("HTTP/1.1 200 OK", [("Content-Type", "text/html")])
    s.add(warc(v, [("WARC-Type", "response"), ("WARC-Target-URI", FOOTBRIDGE.url),
                   ("WARC-Date", "2024-11-06T12:07:00Z"), ("WARC-Record-ID", rid(85)),
                   ("WARC-Segment-Number", "1"),
                   ("Content-Type", "application/http;msgtype=response")],
               part_head + big[:600]), rid(85))
    s.add(warc(v, [("WARC-Type", "continuation"), ("WARC-Target-URI", FOOTBRIDGE.url),
                   ("WARC-Date", "2024-11-06T12:07:00Z"), ("WARC-Record-ID", rid(86)),
                   ("WARC-Segment-Origin-ID", rid(85)), ("WARC-Segment-Number", "2"),
                   ("WARC-Segment-Total-Length", str(len(part_head) + len(big)))],
               big[600:]), rid(86))
    listing = b"<html><head><title>Travel</title></head><body><ul><li>x</li></ul></body></html>"
    s.add(response_record(v, 87, "http://rail.example/travel/", "2024-11-06T12:08:00Z",
                          http_head("HTTP/1.1 200 OK", [("Content-Type", "text/html"),
                                                        ("Content-Encoding", "gzip")]),
                          listing), rid(87))
    s.expected.append(Expect("http://rail.example/travel/", 200, listing, rid(87)))
    # the revisit comes out once the file is read, when its original is known
    s.expected.append(Expect(amp, 200, body, rid(82), charset="utf-8", refers_to=rid(83)))
    s.articles.append(NIGHT_TRAIN)
    s.aliases[amp] = NIGHT_TRAIN.url
    return s


def all_samples() -> dict[str, object]:
    return {"wget": wget_sample, "warcio": warcio_sample, "heritrix": heritrix_sample,
            "browsertrix": lambda: browsertrix_sample(pytest.importorskip("brotli")),
            "odd": odd_records_sample}


SAMPLES = all_samples()


def read_back(data: bytes, offset: int, length: int, record_id: str) -> tuple[str, str]:
    """(type, target) of the record `record_id` in data[offset:offset+length], found the way a
    user with only the pointer would: decompress what is there, walk its records."""
    piece = data[offset:offset + length]
    if piece.startswith(b"\x1f\x8b"):
        parts, rest = [], piece
        while rest:
            unzip = zlib.decompressobj(31)
            parts.append(unzip.decompress(rest))
            rest = unzip.unused_data if unzip.eof else b""
        piece = b"".join(parts)
    for record in ArchiveIterator(io.BytesIO(piece)):
        if record.rec_headers.get_header("WARC-Record-ID") == record_id:
            return record.rec_type, record.rec_headers.get_header("WARC-Target-URI")
    raise AssertionError("record %s not within offset %d + length %d" % (record_id, offset, length))


def check_response(response: ArchivedResponse, expect: Expect, path: Path, places: dict[str, Place],
                   data: bytes) -> None:
    assert (response.url, response.status) == (expect.url, expect.status)
    assert response.body == expect.body
    assert (response.content_type, response.charset) == (expect.content_type, expect.charset)
    for name, value in expect.headers:
        assert response.header(name) == value, name
    location = response.location
    assert location.filename == path.name
    assert location.record_id == expect.record_id
    assert response.date == location.date
    place = places[expect.record_id]
    assert location.offset == place.offset
    if place.shared:  # enough of the shared member to reach the record
        assert 0 < location.length <= place.length
    else:
        assert location.length == place.length
    rec_type, _target = read_back(data, location.offset, location.length, location.record_id)
    assert rec_type == ("revisit" if expect.refers_to else "response")
    again = read_record_at(str(path), location.offset, location.record_id)
    assert (again.url, again.location) == (response.url, location)
    if expect.refers_to:
        assert response.record_type == "revisit"
        assert response.refers_to is not None and response.refers_to.record_id == expect.refers_to
        assert again.body == b""  # read on its own, a revisit has no body
    else:
        assert response.record_type == "response" and response.refers_to is None
        assert again.body == expect.body


# -- every shape, every packing --------------------------------------------------------------------
@pytest.mark.parametrize("packing", PACKINGS)
@pytest.mark.parametrize("shape", list(SAMPLES))
def test_foreign_shapes_yield_exactly_their_responses(
    tmp_path: Path, shape: str, packing: str
) -> None:
    sample = SAMPLES[shape]()
    path, places = write_sample(tmp_path, sample, packing)
    report = ReadReport()

    responses = list(iter_responses([str(path)], report))

    assert [(r.url, r.status) for r in responses] == [(e.url, e.status) for e in sample.expected]
    by_id = dict(zip(sample.ids, places, strict=True))
    data = path.read_bytes()
    for response, expect in zip(responses, sample.expected, strict=True):
        check_response(response, expect, path, by_id, data)
    assert report.problems == []
    assert report.records == len(sample.records)
    assert report.revisits == sum(1 for e in sample.expected if e.refers_to)


def test_segmented_response_is_counted_not_handed_on(tmp_path: Path) -> None:
    path, _ = write_sample(tmp_path, odd_records_sample(), "plain")
    report = ReadReport()
    urls = [r.url for r in iter_responses([str(path)], report)]
    assert FOOTBRIDGE.url not in urls
    assert report.skipped == {"segmented record": 1}


# -- revisits --------------------------------------------------------------------------------------
def _page(n: int, url: str, body: bytes, date: str, status: str = "200 OK",
          headers: list[tuple[str, str]] | None = None) -> bytes:
    head = http_head("HTTP/1.1 " + status, headers or [("Content-Type", "text/html")])
    return response_record("1.1", n, url, date, head, body)


def _revisit(n: int, url: str, date: str, *, profile: str = "identical-payload-digest",
             refers_to: str = "", digest: str = "", refers_uri: str = "", refers_date: str = "",
             head: bytes | None = None) -> bytes:
    fields = [("WARC-Type", "revisit"), ("WARC-Target-URI", url), ("WARC-Date", date),
              ("WARC-Record-ID", rid(n)),
              ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/" + profile)]
    fields += [(k, v) for k, v in (("WARC-Refers-To", refers_to), ("WARC-Payload-Digest", digest),
                                    ("WARC-Refers-To-Target-URI", refers_uri),
                                    ("WARC-Refers-To-Date", refers_date)) if v]
    if head is None:
        head = http_head("HTTP/1.1 200 OK", [("Content-Type", "text/html")])
    block = head
    return warc("1.1", fields + [("Content-Type", "application/http;msgtype=response")], block)


BODY_1 = b"<html><body><p>first version of the page</p></body></html>"
BODY_2 = b"<html><body><p>second version of the page</p></body></html>"


def test_revisit_without_http_head_takes_status_and_headers_of_its_original(
    tmp_path: Path
) -> None:
    path = tmp_path / "r.warc"
    path.write_bytes(_page(1, "http://a.example/x", BODY_1, "2024-01-01T00:00:00Z",
                           headers=[("Content-Type", "text/html; charset=windows-1252")])
                     + _revisit(2, "http://a.example/y", "2024-01-02T00:00:00Z", refers_to=rid(1),
                                head=b""))
    original, revisit = iter_responses([str(path)])
    assert (revisit.url, revisit.status, revisit.body) == ("http://a.example/y", 200, BODY_1)
    assert revisit.charset == "windows-1252" and revisit.date == "2024-01-02T00:00:00Z"
    assert revisit.refers_to == original.location


def test_server_not_modified_revisit_finds_the_capture_it_names(tmp_path: Path) -> None:
    url = "http://a.example/page"
    path = tmp_path / "r.warc"
    path.write_bytes(
        _page(1, url, BODY_1, "2024-01-01T00:00:00Z")
        + _page(2, url, BODY_2, "2024-01-02T00:00:00Z")
        # names the first capture by date: its body, not the latest one's
        + _revisit(3, url, "2024-01-03T00:00:00Z", profile="server-not-modified", refers_uri=url,
                   refers_date="2024-01-01T00:00:00Z",
                   head=http_head("HTTP/1.1 304 Not Modified", []))
        # names nothing: the latest capture of its URL before it
        + _revisit(4, url, "2024-01-04T00:00:00Z", profile="server-not-modified",
                   head=http_head("HTTP/1.1 304 Not Modified", [])))
    responses = list(iter_responses([str(path)]))
    assert [(r.status, r.body, r.record_type) for r in responses] == [
        (200, BODY_1, "response"), (200, BODY_2, "response"),
        (200, BODY_1, "revisit"), (200, BODY_2, "revisit")]
    assert [r.location.record_id for r in responses] == [rid(1), rid(2), rid(3), rid(4)]


def test_revisit_of_a_revisit_reaches_the_full_record(tmp_path: Path) -> None:
    path = tmp_path / "r.warc.gz"
    path.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in [
        _page(1, "http://a.example/1", BODY_1, "2024-01-01T00:00:00Z"),
        _revisit(2, "http://a.example/2", "2024-01-02T00:00:00Z", refers_to=rid(1)),
        _revisit(3, "http://a.example/3", "2024-01-03T00:00:00Z", refers_to=rid(2))]))
    responses = list(iter_responses([str(path)]))
    assert [(r.url, r.body) for r in responses] == [
        ("http://a.example/%d" % i, BODY_1) for i in (1, 2, 3)]
    assert responses[2].refers_to == responses[0].location


def test_original_in_another_file_of_the_input_either_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.warc", tmp_path / "b.warc"
    first.write_bytes(_revisit(2, "http://a.example/copy", "2024-01-02T00:00:00Z",
                               digest=sha1_b32(BODY_1)))
    second.write_bytes(_page(1, "http://a.example/orig", BODY_1, "2024-01-01T00:00:00Z"))
    report = ReadReport()
    responses = list(iter_responses([str(first), str(second)], report))
    assert [(r.url, r.body, r.location.filename) for r in responses] == [
        ("http://a.example/orig", BODY_1, "b.warc"), ("http://a.example/copy", BODY_1, "a.warc")]
    assert responses[1].refers_to == responses[0].location
    assert (report.revisits, report.skipped) == (1, {})


def test_revisit_whose_original_is_not_in_the_input_is_counted_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "r.warc"
    path.write_bytes(_revisit(2, "http://a.example/copy", "2024-01-02T00:00:00Z", refers_to=rid(99),
                              digest=sha1_b32(BODY_1))
                     + _page(1, "http://a.example/other", BODY_2, "2024-01-01T00:00:00Z"))
    report = ReadReport()
    with caplog.at_level(logging.INFO, logger="archive.response_iterator"):
        assert [r.url for r in iter_responses([str(path)], report)] == ["http://a.example/other"]
    assert report.skipped == {"revisit without its original": 1}
    assert report.problems == []
    assert "1 revisit records refer to captures not in the input" in caplog.text


# -- bodies: chunk framing, content codings --------------------------------------------------------
PAGE = b"<html><body>" + b"<p>A paragraph that goes on for a while.</p>" * 60 + b"</body></html>"


def _one_response(tmp_path: Path, head_lines: list[tuple[str, str]], payload: bytes,
                  status_line: str = "HTTP/1.1 200 OK") -> ArchivedResponse:
    path = tmp_path / "one.warc"
    path.write_bytes(response_record("1.1", 1, "http://b.example/p", "2024-01-01T00:00:00Z",
                                     http_head(status_line, head_lines), payload))
    report = ReadReport()
    (response,) = iter_responses([str(path)], report)
    assert report.problems == []
    return response


BODY_CASES = {
    "chunked": ([("Transfer-Encoding", "chunked")], chunked(PAGE)),
    "chunked, one chunk": ([("Transfer-Encoding", "chunked")], chunked(PAGE, sizes=(100000,))),
    "chunked, upper-case hex and extensions": (
        [("Transfer-Encoding", "chunked")],
        chunked(PAGE, sizes=(0xABC,), extension="; foo=bar").replace(b"abc", b"ABC")),
    "chunked with trailer fields": (
        [("Transfer-Encoding", "chunked")], chunked(PAGE)[:-2] + b"Expires: 0\r\n\r\n"),
    "chunked, bare LF framing": (
        [("Transfer-Encoding", "chunked")], chunked(PAGE).replace(b"\r\n", b"\n")),
    "chunked, header in odd case": ([("transfer-encoding", "Chunked")], chunked(PAGE)),
    "chunked header, body stored de-chunked": ([("Transfer-Encoding", "chunked")], PAGE),
    "gzip": ([("Content-Encoding", "gzip")], gzip.compress(PAGE, mtime=0)),
    "x-gzip": ([("Content-Encoding", "x-gzip")], gzip.compress(PAGE, mtime=0)),
    "gzip in two members": (
        [("Content-Encoding", "gzip")],
        gzip.compress(PAGE[:500], mtime=0) + gzip.compress(PAGE[500:], mtime=0)),
    "gzip, chunked": ([("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                      chunked(gzip.compress(PAGE, mtime=0), sizes=(10, 300))),
    "deflate (zlib)": ([("Content-Encoding", "deflate")], zlib.compress(PAGE)),
    "gzip header, body stored decoded": ([("Content-Encoding", "gzip")], PAGE),
    "identity": ([("Content-Encoding", "identity")], PAGE),
}
_raw = zlib.compressobj(wbits=-15)
BODY_CASES["deflate (raw)"] = (
    [("Content-Encoding", "deflate")], _raw.compress(PAGE) + _raw.flush())


@pytest.mark.parametrize("case", list(BODY_CASES))
def test_bodies_come_out_dechunked_and_decoded(tmp_path: Path, case: str) -> None:
    headers, payload = BODY_CASES[case]
    assert _one_response(tmp_path, headers + [("Content-Type", "text/html")], payload).body == PAGE


def test_brotli_and_stacked_codings_are_undone(tmp_path: Path) -> None:
    brotli = pytest.importorskip("brotli")
    stacked = brotli.compress(gzip.compress(PAGE, mtime=0))
    assert _one_response(tmp_path, [("Content-Encoding", "gzip, br")], stacked).body == PAGE
    assert _one_response(tmp_path, [("Content-Encoding", "BR")], brotli.compress(PAGE)).body == PAGE


def test_cut_chunked_body_keeps_what_arrived(tmp_path: Path) -> None:
    framed = chunked(PAGE, sizes=(1000,))  # "3e8\r\n" + 1000 bytes + "\r\n", then the next
    second = 1500 - (5 + 1000 + 2) - 5
    response = _one_response(tmp_path, [("Transfer-Encoding", "chunked")], framed[:1500])
    assert response.body == PAGE[:1000 + second]


@pytest.mark.parametrize("case", ["corrupt gzip", "unknown coding", "cut gzip"])
def test_undecodable_body_is_kept_as_stored_with_a_warning(
    tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    zipped = gzip.compress(PAGE, mtime=0)
    headers, payload = {
        "corrupt gzip": ([("Content-Encoding", "gzip")], zipped[:20] + bytes(40) + zipped[60:]),
        "unknown coding": ([("Content-Encoding", "compress")], zipped),
        "cut gzip": ([("Content-Encoding", "gzip")], zipped[: len(zipped) // 2]),
    }[case]
    with caplog.at_level(logging.WARNING, logger="archive.codings"):
        response = _one_response(tmp_path, headers, payload)
        assert response.body == payload  # decoded on first use: the warning comes then
    assert "one.warc at offset 0: cannot decode body" in caplog.text


# -- status lines, header names, charsets ----------------------------------------------------------
@pytest.mark.parametrize("status_line, status", [
    ("HTTP/1.0 200 OK", 200), ("HTTP/1.1 200", 200), ("HTTP/1.1 200 ", 200),
    ("HTTP/1.1 404 Not Found", 404), ("HTTP/1.1 503 Service Unavailable", 503),
    ("HTTP/2 200", 200), ("http/1.1 301 moved", 301),
])
def test_status_lines(tmp_path: Path, status_line: str, status: int) -> None:
    response = _one_response(tmp_path, [("Content-Type", "text/html")], PAGE, status_line)
    assert (response.status, response.body) == (status, PAGE)


@pytest.mark.parametrize("value, content_type, charset", [
    ("text/html; charset=utf-8", "text/html", "utf-8"),
    ('text/html; charset="ISO-8859-1"', "text/html", "ISO-8859-1"),
    ("TEXT/HTML;CHARSET=Windows-1252", "text/html", "Windows-1252"),
    ("text/html; Charset = 'latin1' ; foo=bar", "text/html", "latin1"),
    ("application/xhtml+xml;charset=UTF-8;", "application/xhtml+xml", "UTF-8"),
    ("text/html", "text/html", None),
    ("text/html; charset=", "text/html", None),
])
def test_content_type_and_charset_in_any_spelling(
    tmp_path: Path, value: str, content_type: str, charset: str | None
) -> None:
    for name in ("Content-Type", "content-type", "CONTENT-TYPE"):
        response = _one_response(tmp_path, [(name, value)], PAGE)
        assert (response.content_type, response.charset) == (content_type, charset)


def test_header_values_keep_latin1_bytes(tmp_path: Path) -> None:
    disposition = 'inline; filename="Müller.html"'
    response = _one_response(
        tmp_path, [("Content-Type", "text/html"), ("Content-Disposition", disposition)], PAGE)
    assert response.header("content-disposition") == 'inline; filename="Müller.html"'


# -- damage ----------------------------------------------------------------------------------------
def _noise(i: int) -> bytes:
    """A body that gzip cannot shrink much, so compressed offsets follow uncompressed ones."""
    return b"<html><body><p>%s</p></body></html>" % random.Random(i).randbytes(3000).hex().encode()


def _pages(count: int = 3) -> list[bytes]:
    return [_page(i, "http://c.example/%d" % i, _noise(i), "2024-01-01T00:00:0%dZ" % i)
            for i in range(1, count + 1)]


@pytest.mark.parametrize("into", [20, 200, -40])  # WARC head, HTTP head, body of the third record
def test_plain_file_cut_inside_a_record(tmp_path: Path, into: int) -> None:
    records = _pages()
    data, places = pack(records, "plain")
    third = places[2].offset
    cut = third + into if into > 0 else third + len(records[2]) + into
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:cut])
    report = ReadReport()

    urls = [r.url for r in iter_responses([str(path)], report)]

    assert urls == ["http://c.example/1", "http://c.example/2"]
    (problem,) = report.problems
    assert (problem.filename, problem.offset) == (str(path), third)
    assert "cut short" in problem.problem


@pytest.mark.parametrize("packing", ["gzip-stream", "gzip-pairs"])
def test_gzip_member_of_several_records_cut_inside_one(tmp_path: Path, packing: str) -> None:
    records = _pages(4)  # pairs: two members
    data, places = pack(records, packing)
    path = tmp_path / "cut.warc.gz"
    # inside the second member of pairs; inside the third of four equal records of the stream
    cut = places[2].offset + 40 if packing == "gzip-pairs" else len(data) * 5 // 8
    path.write_bytes(data[:cut])
    report = ReadReport()

    responses = list(iter_responses([str(path)], report))

    assert [(r.url, r.body) for r in responses] == [
        ("http://c.example/%d" % i, _noise(i)) for i in (1, 2)]
    (problem,) = report.problems
    assert problem.filename == str(path)
    assert problem.offset == places[2].offset  # the member holding the cut record
    assert "cut short" in problem.problem
    if packing == "gzip-stream":
        assert "uncompressed offset" in problem.problem


def test_bad_record_in_one_gzip_member_does_not_lose_the_members_after_it(tmp_path: Path) -> None:
    records = _pages()
    # the second record claims more block than it has: its member holds garbage after it
    bad = records[1].replace(b"Content-Length: ", b"Content-Length: 1", 1)
    path = tmp_path / "bad.warc.gz"
    members = [gzip.compress(r, mtime=0) for r in (records[0], bad, records[2])]
    path.write_bytes(b"".join(members))
    report = ReadReport()

    assert [r.url for r in iter_responses([str(path)], report)] == [
        "http://c.example/1", "http://c.example/3"]
    (problem,) = report.problems
    assert problem.offset == len(members[0])


def test_gzip_member_cut_in_its_trailer_keeps_the_record_and_reports(tmp_path: Path) -> None:
    records = _pages()
    data, places = pack(records, "gzip-per-record")
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:-4])  # the last member's length field is gone, the record is whole
    report = ReadReport()
    assert len(list(iter_responses([str(path)], report))) == 3
    (problem,) = report.problems
    assert problem.offset == places[2].offset and "cut short" in problem.problem


def test_read_record_at_finds_a_record_inside_a_shared_member(tmp_path: Path) -> None:
    sample = wget_sample()
    path, places = write_sample(tmp_path, sample, "gzip-stream")
    response = read_record_at(str(path), 0, rid(3))
    assert (response.url, response.body) == (FERRY.url, FERRY.body())
    with pytest.raises(WarcFormatError) as caught:
        read_record_at(str(path), 0, rid(999))
    assert caught.value.offset == 0 and rid(999) in str(caught.value)
    with pytest.raises(WarcFormatError):
        read_record_at(str(path), 0, rid(2))  # a request, not a response


def test_garbage_after_a_good_plain_record_is_reported_where_it_ends(tmp_path: Path) -> None:
    records = _pages(1)
    data, places = pack(records, "plain")
    path = tmp_path / "tail.warc"
    path.write_bytes(data + b"<html>this is no WARC record</html>\r\n" * 3)
    report = ReadReport()
    assert [r.url for r in iter_responses([str(path)], report)] == ["http://c.example/1"]
    (problem,) = report.problems
    assert problem.offset == places[0].offset + places[0].length


# -- ARC -------------------------------------------------------------------------------------------
ARC_PAGE = (b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n"
            b"<html><body>an ARC page</body></html>")
ARC_DESC = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
ARC_RECORDS = [
    b"filedesc://t.arc 0.0.0.0 20240101000000 text/plain %d\n%s\n" % (len(ARC_DESC), ARC_DESC),
    b"http://arc.example/page 192.0.2.1 20240102030405 text/html %d\n%s\n"
    % (len(ARC_PAGE), ARC_PAGE),
]


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_arc_files_give_url_date_and_body(tmp_path: Path, gzipped: bool) -> None:
    if gzipped:
        data = b"".join(gzip.compress(r, mtime=0) for r in ARC_RECORDS)
    else:
        data = b"".join(ARC_RECORDS)
    path = tmp_path / ("old.arc.gz" if gzipped else "old.arc")
    path.write_bytes(data)
    report = ReadReport()
    (response,) = iter_responses([str(path)], report)
    assert (response.url, response.status, response.date) == (
        "http://arc.example/page", 200, "2024-01-02T03:04:05Z")
    assert response.body == b"<html><body>an ARC page</body></html>"
    # ARC records have no ids: none is made up, so the pointer reads the same every time
    assert response.location.record_id == ""
    places = []
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh, arc2warc=True)
        places = [(records.get_record_offset(), records.get_record_length()) for _ in records]
    assert (response.location.offset, response.location.length) == places[1]
    assert read_record_at(str(path), response.location.offset).body == response.body
    assert report.problems == []
