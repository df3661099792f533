"""Personal details found by pattern alone: IDs and handles, personal web addresses, birth dates.

Each finder reads the *detection view* of an answer (full-width letters, digits and symbols mapped
one-to-one to half-width, `` / `` read as a line break) and adds spans to a
:class:`~rsnet_analysis.privacy.patterns._Spans`. Street addresses live in :mod:`.address`.

========== ============ ======================================================================
kind       placeholder  what
========== ============ ======================================================================
``url``    〔URL〕       a personal web address: SNS profiles, blogs, note, GitHub, portfolios.
                        Public sites stay (lg.jp, go.jp, city./pref. hosts, companies, event
                        pages, an account the text calls official), and nothing inside them
                        is masked.
``id``     〔ID〕        ``@handles``, LINE and chat IDs after their label, staff numbers
                        (職員番号, 社員番号 …)
``birthdate`` 〔生年月日〕 a full date after 生年月日/誕生日/DOB/Born or before 生まれ/生
========== ============ ======================================================================
"""

from __future__ import annotations

import re

from rsnet_analysis.privacy.patterns import _Spans

__all__ = ["find_birthdates", "find_ids", "find_urls"]

# -- web addresses ----------------------------------------------------------------------------
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]"
#: SNS, blog and portfolio hosts where the first path segment (or the sub-domain) is a person.
_PLATFORM_PATH = (
    "note.com note.mu qiita.com zenn.dev github.com gitlab.com x.com twitter.com instagram.com "
    "facebook.com fb.com threads.net tiktok.com youtube.com linkedin.com wantedly.com lit.link "
    "linktr.ee speakerdeck.com slideshare.net medium.com ameblo.jp bsky.app about.me "
    "blog.goo.ne.jp blog.livedoor.jp sites.google.com stand.fm voicy.jp pixiv.net mstdn.jp "
    "flickr.com behance.net dribbble.com"
).split()
_PLATFORM_SUBDOMAIN = (
    "hatenablog.com hatenablog.jp hateblo.jp hatenadiary.com hatenadiary.jp hatenadiary.org "
    "blogspot.com wordpress.com fc2.com livedoor.blog substack.com github.io jimdofree.com "
    "wixsite.com studio.site notion.site exblog.jp seesaa.net cocolog-nifty.com amebaownd.com "
    "webnode.jp localinfo.jp"
).split()
#: Path segments of a platform that are not a person (x.com/home, youtube.com/watch, …).
_NOT_USER_SEGMENTS = frozenset(
    "watch events event tags tag search hashtag explore topics features about help intent share "
    "home login signup playlist results embed groups settings policies policy ja en jp pages "
    "marketplace trending organizations orgs topics collections sponsors enterprise pricing "
    "docs blog news premium feed live".split()
)
_PUBLIC_HOST_RE = re.compile(
    r"(?:\.(?:lg|go|ac|ed|or|co|gr)\.jp|\.(?:gov|edu|int|mil)(?:\.[a-z]{2})?)$"
    r"|^(?:www\d?\.)?(?:city|town|vill|village|pref|metro|ward)\."
)
_EVENT_HOSTS = ("connpass.com", "peatix.com", "doorkeeper.jp", "eventbrite.com", "eventbrite.jp", "techplay.jp")
_URL_RE = re.compile(
    r"(?:https?://|(?<![A-Za-z0-9.@/\-])www\.)" + _URL_CHARS + r"+"
    r"|(?<![A-Za-z0-9.@/\-])(?:" + "|".join(re.escape(h) for h in _PLATFORM_PATH) + r")/"
    + _URL_CHARS + r"+"
)
#: Words before an address in the same sentence that say it belongs to a person.
_PERSONAL_CONTEXT_RE = re.compile(
    r"個人|私の|わたしの|自分の|私見|ブログ|[Bb]log|ポートフォリオ|[Pp]ortfolio|プロフィール"
    r"|さん(?:個人)?の(?:サイト|ページ|ホームページ|HP|記事|投稿|note|アカウント)"
)
#: Words that call an account or a site official (公式), unless negated (公式ではなく個人).
_OFFICIAL_RE = re.compile(r"公式(?!\S{0,4}(?:では|じゃ)な)")
_OFFICIAL_HANDLE_RE = re.compile(
    r"(?i)official|(?:^|[_.\-])(?:city|pref|town|village)(?:[_.\-]|$)|(?-i:City|Pref|Town)"
)
_SENTENCE_END_RE = re.compile(r"[。！？!?\n]")
_URL_HINT_RE = re.compile(r"https?://|www\.|[A-Za-z0-9]\.[A-Za-z]{2,6}/")


def _sentence_before(view: str, start: int, width: int = 40) -> str:
    """The text before ``start`` back to the end of the previous sentence (at most ``width``)."""
    before = view[max(0, start - width) : start]
    ends = list(_SENTENCE_END_RE.finditer(before))
    return before[ends[-1].end() :] if ends else before


def _trim_url(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, not to the address."""
    url = url.rstrip(".,;:!?'")
    while url.endswith("]") and url.count("[") < url.count("]"):
        url = url[:-1].rstrip(".,;:!?'")
    return url


_USER_PREFIXES = frozenset("in id users user c channel channels view profile u".split())


def _user_segment(host: str, path: str) -> str | None:
    """The person part of a platform address (``hiro_dx`` of note.com/hiro_dx), else None."""
    if any(host == d or host.endswith("." + d) for d in _PLATFORM_SUBDOMAIN):
        sub = host.split(".")[0]
        return sub if sub not in ("www", "blog") else None
    if not any(host == d or host.endswith("." + d) for d in _PLATFORM_PATH):
        return None
    segments = [s for s in re.split(r"[/?#]", path) if s]
    if len(segments) > 1 and segments[0] in _USER_PREFIXES:
        segments = segments[1:]
    if not segments:
        return None
    first = segments[0].lstrip("@~")
    if not first or first.lower() in _NOT_USER_SEGMENTS or "=" in first:
        return None
    return first


def _url_is_personal(view: str, start: int, url: str) -> bool:
    """Decide whether the web address at ``start`` identifies a person."""
    rest = re.sub(r"^https?://", "", url)
    host, _, path = rest.partition("/")
    host = host.split(":")[0].split("@")[-1].lower()
    if _PUBLIC_HOST_RE.search(host) or host.endswith(_EVENT_HOSTS):
        return False
    context = _sentence_before(view, start)
    user = _user_segment(host, path)
    if user is not None:
        return not (_OFFICIAL_RE.search(context) or _OFFICIAL_HANDLE_RE.search(user))
    return bool(_PERSONAL_CONTEXT_RE.search(context)) and not _OFFICIAL_RE.search(context)


def find_urls(view: str, spans: _Spans) -> None:
    """Mask personal web addresses; protect the others so nothing inside them is masked.

    Parameters
    ----------
    view : str
        The detection view of one answer.
    spans : _Spans
        Where the spans go.
    """
    if not _URL_HINT_RE.search(view):
        return
    for m in _URL_RE.finditer(view):
        url = _trim_url(m.group())
        end = m.start() + len(url)
        if _url_is_personal(view, m.start(), url):
            spans.add(m.start(), end, "url")
        else:
            spans.protect(m.start(), end)


# -- IDs and handles --------------------------------------------------------------------------
_SERVICES = (
    r"LINE|ライン|LoGo\s?チャット|ロゴチャット|Slack|Chatwork|チャットワーク|Discord|ディスコード"
    r"|Skype|WeChat|KakaoTalk|カカオトーク|Telegram|WhatsApp|Messenger|Google\s?Chat"
    r"|X|Twitter|ツイッター|Instagram|インスタ(?:グラム)?|Facebook|フェイスブック|Threads|TikTok"
    r"|GitHub|Qiita|Zenn|note|YouTube|Bluesky|Mastodon|LinkedIn|Wantedly"
)
_ID_WORDS = r"ID|アカウント名?|ユーザー(?:名|ID|ネーム)|ユーザ名|ハンドル(?:ネーム)?|ニックネーム"
_STRONG_ID_WORDS = r"アカウント名|ユーザー(?:名|ID|ネーム)|ユーザ名|ハンドル(?:ネーム)?|LINE[ \t]?ID"
_HANDLE = r"[A-Za-z0-9][A-Za-z0-9._\-]{1,30}(?:#\d{4})?"
_SEP = r"[ \t]?(?:[:=]|は|\(|「|\")?[ \t]?(?:[\"「])?"
#: A handle after a service name and an ID word (LINE ID: x, LINEのIDはx, LoGoチャットのID「x」).
_SERVICE_ID_RE = re.compile(
    rf"(?<![A-Za-z])(?:{_SERVICES})(?:[ \t]?の[ \t]?|[ \t]?\(?[ \t]?)(?:{_ID_WORDS})[ \t]?(?:は|:|=)?[ \t]?[\"「]?({_HANDLE})"
    r"(?![A-Za-z0-9@])"
)
#: A handle right after a service name, with a separator: LINE: x, Discord：x#1234, LINE（x）.
_SERVICE_HANDLE_RE = re.compile(rf"(?<![A-Za-z])(?:{_SERVICES})[ \t]?(?:[:=]|\(|は)[ \t]?({_HANDLE})(?![A-Za-z0-9@])")
#: A bare ID word and a handle-like value: ID：tk-suzuki01 (lower case and a separator), or a
#: handle after a word that only ever names an account (ユーザー名：hiro).
_ID_WORD_RE = re.compile(rf"(?<![A-Za-z])(?:{_ID_WORDS})[ \t]?(?:は|:|=)[ \t]?[\"「]?({_HANDLE})(?![A-Za-z0-9@])")
_STRONG_ID_WORD_RE = re.compile(
    rf"(?<![A-Za-z])(?:{_STRONG_ID_WORDS})[ \t]?(?:は|:|=)?[ \t]?[\"「]?({_HANDLE})(?![A-Za-z0-9@])"
)
_AT_HANDLE_RE = re.compile(r"(?<![A-Za-z0-9._%+/@#])@[A-Za-z0-9_](?:[A-Za-z0-9._\-]*[A-Za-z0-9_])?")
#: Staff, employee and member numbers: 職員番号 12345, 社員番号K0045, 職員No. 2019-0387.
_STAFF_NUMBER_RE = re.compile(
    r"(?:職員|社員|従業員|教職員|会員|受講者|学籍|個人|利用者)(?:番号|No\.?|NO\.?|ID|コード)"
    r"|マイナンバー"
)
_STAFF_VALUE_RE = re.compile(r"[ \t]?(?:[:=(]|は)?[ \t]?([A-Za-z]{0,3}-?\d[\d\-]{1,14}\d|\d{2,})(?![\d])")


_ID_HINT_RE = re.compile(rf"@|{_SERVICES}|{_ID_WORDS}|番号|No|NO|コード|マイナンバー")


def _handle_ok(value: str, strong: bool) -> bool:
    """A handle needs 3 characters; without an ID word also a letter and a separator or digit."""
    if len(value) < 3:
        return False
    if strong:
        return True
    return bool(re.search(r"[A-Za-z]", value) and re.search(r"[_.\-#\d]", value))


def find_ids(view: str, spans: _Spans) -> None:
    """Mask handles, chat IDs and staff numbers.

    Parameters
    ----------
    view : str
        The detection view of one answer.
    spans : _Spans
        Where the spans go (e-mail addresses and URLs found before are left alone).
    """
    if not _ID_HINT_RE.search(view):
        return
    if "@" in view:
        for m in _AT_HANDLE_RE.finditer(view):
            if m.start() and spans.text[m.start() - 1] == "-":
                continue  # a-b@… is not a handle; the view maps ー to "-" too (メンバー@x is)
            handle = m.group()[1:]
            if not re.search(r"[A-Za-z]", handle) or len(handle) < 2:
                continue  # 単価@1,200円
            if _OFFICIAL_HANDLE_RE.search(handle) or _OFFICIAL_RE.search(_sentence_before(view, m.start(), 20)):
                continue
            spans.add(m.start(), m.end(), "id")
    for m in _SERVICE_ID_RE.finditer(view):
        if _handle_ok(m.group(1), strong=True):
            spans.add(m.start(1), m.end(1), "id")
    for m in _SERVICE_HANDLE_RE.finditer(view):
        if _handle_ok(m.group(1), strong=False):
            spans.add(m.start(1), m.end(1), "id")
    for m in _STRONG_ID_WORD_RE.finditer(view):
        if _handle_ok(m.group(1), strong=True):
            spans.add(m.start(1), m.end(1), "id")
    for m in _ID_WORD_RE.finditer(view):
        value = m.group(1)
        if _handle_ok(value, strong=False) and re.search(r"[a-z]", value):
            spans.add(m.start(1), m.end(1), "id")
    for m in _STAFF_NUMBER_RE.finditer(view):
        v = _STAFF_VALUE_RE.match(view, m.end())
        if v:
            spans.add(v.start(1), v.end(1), "id")


# -- birth dates ------------------------------------------------------------------------------
_ERA = r"(?:昭和|平成|令和|大正)"
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE_RE = re.compile(
    r"(?<!\d)(?:"
    rf"(?:19|20)\d{{2}}[ \t]?(?:\([ \t]?{_ERA}[ \t]?(?:\d{{1,2}}|元)[ \t]?\)[ \t]?)?年[ \t]?\d{{1,2}}[ \t]?月[ \t]?\d{{1,2}}[ \t]?日"
    rf"|{_ERA}[ \t]?(?:\d{{1,2}}|元)[ \t]?年[ \t]?\d{{1,2}}[ \t]?月[ \t]?\d{{1,2}}[ \t]?日"
    r"|(?<![A-Za-z])[SHRTshrt][ \t]?\d{1,2}[./\-]\d{1,2}[./\-]\d{1,2}"
    r"|(?:19|20)\d{2}[./\-]\d{1,2}[./\-]\d{1,2}"
    rf"|{_MONTHS}[ \t]\d{{1,2}}(?:st|nd|rd|th)?,?[ \t](?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]{_MONTHS},?[ \t](?:19|20)\d{{2}}"
    r")(?!\d)"
)
_BIRTH_LABEL_RE = re.compile(
    r"(?:生年月日|誕生日|生年|DOB|D\.O\.B\.?|[Dd]ate of [Bb]irth|[Bb]irth[ \t]?[Dd]ate|[Bb]irthday"
    r"|[Bb]orn(?:[ \t]on)?)"
    r"[ \t]?(?:は|:|=|\(|[ \t])?[ \t]?$"
)
_BIRTH_AFTER_RE = re.compile(r"^[ \t]?\)?[ \t]?(?:生(?![\u4e00-\u9fff])|産まれ|に生まれ)")
#: Whatever a birth date may be found by: every word of _BIRTH_LABEL_RE and of _BIRTH_AFTER_RE
#: (生 not followed by a kanji, as in 1985年4月12日 生。 or （1985年4月12日）生, 産まれ). A prefilter:
#: an answer without any of them is not scanned for dates. The lookahead names the first
#: character of every alternative, so the scan (on every answer) skips other characters at once.
_HAS_BIRTH_WORD_RE = re.compile(
    r"(?=[生産誕DBb])(?:生年|生(?![\u4e00-\u9fff])|産まれ|誕生|DOB|D\.O\.B|[Bb]irth|[Bb]orn)"
)


def find_birthdates(view: str, spans: _Spans) -> None:
    """Mask full dates written as a birth date (after 生年月日 or DOB, before 生まれ or 生).

    Parameters
    ----------
    view : str
        The detection view of one answer.
    spans : _Spans
        Where the spans go. Other dates (開館日, 施行日) and a birth year alone stay.
    """
    if not _HAS_BIRTH_WORD_RE.search(view):
        return
    for m in _DATE_RE.finditer(view):
        before = view[max(0, m.start() - 16) : m.start()]
        if _BIRTH_LABEL_RE.search(before) or _BIRTH_AFTER_RE.match(view[m.end() : m.end() + 6]):
            spans.add(m.start(), m.end(), "birthdate")
