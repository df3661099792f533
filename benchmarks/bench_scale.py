"""Scale: ``rsnet analyze`` on 10,000 to 1,000,000 generated answers, beside two baselines.

Usage::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 100000 1000000] [--jobs N]
        [--agreement 100000] [--sample-paths] [--keep DIR]

For each size, a survey export of that many answers is generated (:func:`generate_answers`,
written as a UTF-8 CSV) and measured in three fresh processes, one after the other:

- **rsnet**: ``rsnet analyze FILE --out DIR`` (reports included) through the pipeline, with the
  wall and CPU seconds of every stage as :func:`rsnet_analysis.progress.stage` records them;
- **baseline**: the same texts through a plain scikit-learn pipeline, MeCab word splitting
  (``-Owakati``), ``TfidfVectorizer(min_df=2)``, ``TruncatedSVD(100)``, ``Normalizer`` and
  ``MiniBatchKMeans(20)``;
- **parse()**: a raw ``fugashi.Tagger().parse()`` loop over the same texts.

Each process reports its wall time, its CPU time (its own and its worker processes'), CPU/wall,
and its peak resident memory (``ru_maxrss``). Between sizes the growth exponent of the total time
is ``log(t2 / t1) / log(n2 / n1)`` (1 is linear). With ``--agreement N``, the streaming path and
the in-memory path are both run on the N-answer file and their partitions compared (V-measure,
adjusted Rand index). With ``--sample-paths``, both paths are run on the bundled sample and
scored on its hand labels (:func:`sample_paths`).

The generated answers (not sample sentences glued together) are described in ``docs/scale.md``:
36 templates over 24 topics, slots filled from open-ended vocabularies drawn with a Zipf-like law,
so the vocabulary keeps growing with the number of answers.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing as mp
import os
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

TEXT_COLUMN = "DX・人材育成の課題（自由記述）"
COLUMNS = ["回答日", "都道府県", "自治体名", "自治体区分", "所属部署", "職位", "役割", TEXT_COLUMN]

# -- vocabularies ----------------------------------------------------------------------------
_KANJI = (
    "青赤白黒東西南北上下中大小新古本高長山川田野原森林沢浜岡島崎松杉竹梅桜花春秋夏朝日月星"
    "金石岩谷坂橋宮寺井泉湖池海港津浦江豊富福吉平和安栄光明美清広幸若葉緑丘台城門前宿里郷"
)
_KANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
    "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ"
)
_LATIN = "abcdefghijklmnoprstuvwxyz"
_PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
_DEPARTMENTS = (
    "総務課 企画課 情報政策課 DX推進課 人事課 職員課 財政課 税務課 市民課 福祉課 子育て支援課 "
    "健康推進課 農林課 商工観光課 建設課 教育委員会 生涯学習課 防災危機管理課 環境課 上下水道課"
).split()
_POSITIONS = "主事 主任 係長 課長補佐 課長 部長 会計年度任用職員 主査".split()
_ROLES = "DX担当 人事・研修担当 企画・その他 情報システム担当 窓口担当 管理職".split()
_SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上".split()

# topic: (subjects, activities, problems, targets)
_TOPICS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "研修": (["研修の内容", "講師の確保", "研修体系"], ["DX研修", "階層別研修", "eラーニング"], ["受講者が集まらない", "業務が忙しく参加できない", "内容が現場に合っていない"], ["若手職員", "管理職", "全職員"]),  # noqa: E501
    "予算": (["予算の確保", "財源", "委託費"], ["システム更新", "外部人材の活用", "機器の調達"], ["予算がつかない", "単年度で終わってしまう", "費用対効果を説明できない"], ["財政担当", "議会", "首長"]),  # noqa: E501
    "人材不足": (["専門人材", "担当者の数", "後任"], ["人材の採用", "外部人材の登用", "兼務体制"], ["一人に業務が集中している", "異動で引き継ぎができない", "応募がない"], ["情報担当", "技術職", "新規採用者"]),  # noqa: E501
    "生成AI": (["生成AIの利用ルール", "ChatGPTの活用", "AIの回答の正確さ"], ["生成AIの試行", "文章作成支援", "議事録の要約"], ["情報漏えいが心配", "ガイドラインがない", "使い方が分からない"], ["職員", "情報セキュリティ担当", "法務担当"]),  # noqa: E501
    "標準化": (["システム標準化", "ガバメントクラウド", "基幹業務システム"], ["標準準拠システムへの移行", "データ移行", "ベンダーとの調整"], ["移行の期限に間に合わない", "費用が想定より増えた", "仕様が固まらない"], ["情報政策担当", "各業務所管課", "ベンダー"]),  # noqa: E501
    "セキュリティ": (["情報セキュリティ", "パスワード管理", "標的型メール"], ["セキュリティ研修", "訓練メールの送信", "端末の更新"], ["意識が低い", "インシデントが起きた", "ルールが守られない"], ["職員", "委託事業者", "会計年度任用職員"]),  # noqa: E501
    "理解": (["幹部の理解", "庁内の合意形成", "首長のリーダーシップ"], ["DX推進計画の策定", "全庁的な推進体制", "推進本部会議"], ["優先順位が上がらない", "必要性が伝わらない", "縦割りで進まない"], ["幹部職員", "各課長", "議員"]),  # noqa: E501
    "窓口": (["窓口業務", "書かない窓口", "オンライン申請"], ["電子申請の導入", "キャッシュレス決済", "予約システム"], ["高齢者が使えない", "紙の申請が減らない", "窓口が混雑している"], ["来庁者", "高齢の住民", "窓口職員"]),  # noqa: E501
    "子育て": (["子育て支援", "保育所の入所手続き", "児童手当"], ["子育てアプリの配信", "オンライン相談", "母子手帳の電子化"], ["登録者が増えない", "情報が届かない", "手続きが複雑だ"], ["保護者", "子育て世帯", "保育士"]),  # noqa: E501
    "防災": (["防災情報の発信", "避難所運営", "災害時の連絡"], ["防災アプリ", "安否確認システム", "防災訓練"], ["情報が住民に届かない", "訓練の参加が少ない", "停電時に使えない"], ["自主防災組織", "住民", "消防団"]),  # noqa: E501
    "観光": (["観光振興", "インバウンド対応", "観光データ"], ["観光サイトの多言語化", "SNSでの発信", "周遊アプリ"], ["効果が見えない", "発信が続かない", "事業者の協力が得られない"], ["観光協会", "宿泊事業者", "外国人観光客"]),  # noqa: E501
    "農業": (["スマート農業", "担い手の確保", "農地の管理"], ["ドローンの活用", "農業データの共有", "新規就農支援"], ["導入費用が高い", "高齢化が進んでいる", "機器を使いこなせない"], ["農業者", "JA", "新規就農者"]),  # noqa: E501
    "福祉": (["高齢者の見守り", "介護の人手", "地域包括ケア"], ["見守りセンサー", "介護記録の電子化", "オンライン面会"], ["現場の負担が減らない", "ご家族の同意が得にくい", "機器の操作が難しい"], ["介護職員", "高齢者", "民生委員"]),  # noqa: E501
    "教育": (["GIGAスクール", "学校のICT環境", "教員のICT活用"], ["1人1台端末の活用", "校務の効率化", "プログラミング教育"], ["端末の更新費用がない", "先生によって差がある", "ネットワークが遅い"], ["教員", "児童生徒", "教育委員会"]),  # noqa: E501
    "交通": (["地域公共交通", "デマンド交通", "通院の足"], ["AIオンデマンド交通", "バス路線の見直し", "乗合タクシー"], ["利用者が少ない", "運転手が足りない", "運行経費がかさむ"], ["高齢者", "通学する生徒", "交通事業者"]),  # noqa: E501
    "移住": (["移住促進", "関係人口", "空き家の活用"], ["移住相談会", "お試し住宅", "ワーケーション"], ["問い合わせが定住につながらない", "空き家の情報が集まらない", "仕事が見つからない"], ["移住希望者", "若者", "空き家の所有者"]),  # noqa: E501
    "データ": (["データ活用", "オープンデータ", "EBPM"], ["データの可視化", "BIツールの導入", "統計の整理"], ["データが部署ごとにばらばら", "分析できる人がいない", "個人情報の扱いが難しい"], ["企画担当", "各課", "大学"]),  # noqa: E501
    "業務改善": (["業務の効率化", "RPAの活用", "ペーパーレス化"], ["RPAの導入", "電子決裁", "ノーコードツールの活用"], ["かえって手間が増えた", "現場が変化を嫌う", "効果を測れない"], ["職員", "係長級", "総務担当"]),  # noqa: E501
    "テレワーク": (["テレワーク", "Web会議", "庁外からの接続"], ["テレワーク端末の配備", "オンライン会議の定着", "フリーアドレス"], ["端末が足りない", "規程が整っていない", "対面が前提の文化"], ["職員", "子育て中の職員", "管理職"]),  # noqa: E501
    "住民DX": (["住民のデジタル格差", "スマホ教室", "デジタル活用支援"], ["スマホ講座", "デジタル支援員の派遣", "マイナンバーカードの普及"], ["参加者が固定化している", "講師が足りない", "会場まで来られない"], ["高齢者", "障がいのある方", "外国人住民"]),  # noqa: E501
    "広報": (["広報のデジタル化", "SNSの運用", "ホームページの改修"], ["LINE公式アカウント", "広報紙の電子化", "動画配信"], ["更新が追いつかない", "炎上が怖い", "若い世代に届かない"], ["住民", "若年層", "広報担当"]),  # noqa: E501
    "ネットワーク": (["自治体間の連携", "事例の共有", "情報交換の場"], ["共同調達", "勉強会の開催", "広域での研修"], ["他の自治体の事例が分からない", "相談できる相手がいない", "連携の調整が大変"], ["近隣自治体", "県", "ネットワークの会員"]),  # noqa: E501
    "評価": (["研修の効果測定", "DXの成果指標", "KPIの設定"], ["アンケートの実施", "スキル診断", "効果検証"], ["成果が数字に表れない", "指標の決め方が分からない", "評価が形だけになっている"], ["人事担当", "企画担当", "外部委員"]),  # noqa: E501
    "モチベーション": (["学びの意欲", "自己啓発", "リスキリング"], ["資格取得支援", "学習時間の確保", "オンライン講座の提供"], ["学ぶ時間がない", "学んでも評価されない", "やる気に差がある"], ["若手", "ベテラン職員", "全職員"]),  # noqa: E501
}
_TOPIC_NAMES = list(_TOPICS)

_TEMPLATES = [
    "{subject}が課題です。", "{subject}について、{problem}。",
    "{place}では{activity}を始めたが、{problem}。", "{year}年度から{activity}に取り組んでいるものの、{problem}。",
    "{target}向けの{activity}を{count}回実施したが、{problem}。", "{product}を導入したが、{problem}。",
    "{product}と{product2}の連携がうまくいかず、{problem}。", "{target}の{subject}が一番の悩みです。",
    "{activity}の進め方について他の自治体の事例を知りたい。", "{place}の{facility}で{activity}を予定しているが、{subject}に不安がある。",
    "正直なところ、{problem}と感じています。", "{subject}の面で{problem}ため、{activity}がなかなか進まない。",
    "{target}から「{problem}」という声が多い。", "問い合わせが月に{count}件ほどあり、{subject}の対応に追われている。",
    "{project}では{target}を対象に{activity}を行っている。", "{subject}をどう進めるか、庁内でも意見が分かれています。",
    "約{percent}割の職員が{activity}に参加したが、{problem}。", "{activity}を{place}と共同で行いたい。",
    "{subject}と{subject2}の両立が難しい。", "今後は{activity}に力を入れたいが、{problem}。",
    "{target}にとって{subject}はまだ遠い話になっている。", "{count}人の体制で{activity}を担っており、{problem}。",
    "昨年度は{product}の試行を行いました。{problem}のが現状です。", "{subject}のため、{activity}の見直しを検討中。",
    "・{subject}\n・{subject2}", "{noun}や{noun2}についても{subject}と合わせて検討が必要だ。",
    "{kana}という仕組みを{place}で試しているが、{problem}。", "{noun}の{kana}が{problem}原因になっている。",
    "{target}の{noun}に時間がかかり、{activity}まで手が回らない。", "{activity}と{noun}をセットで進めるべきだと考える。",
    "{kana}{noun}の見直しが必要。", "{kana}や{kana2}のような{subject}を{place}でも取り入れたい。",
    "{product}の{kana}機能が使いにくく、{problem}。", "{target}と{kana}について話し合ったが、{kana2}の扱いで止まっている。",
    "{subject}に関して、{kana}の導入と{product}の更新が重なっている。", "{activity}を進めたい。ただ{problem}。",
]
_TAILS = ["", "", "", "", "よろしくお願いします。", "以上です。", "ご教示ください。", "引き続き検討します。"]
_WORD_KANJI = (
    "改革善策定運用管理支援推進連携共有確認調整整備構築検証分析評価育成確保導入活用普及啓発"
    "相談窓口申請手続制度規程方針基準計画予算財源契約委託調達端末回線環境機器資料様式台帳"
)
_FACILITIES = ["公民館", "図書館", "小学校", "支所", "交流センター", "庁舎", "体育館", "保健センター"]
_SUFFIXES = ["市", "町", "村"]
_PRODUCT_TAILS = ["", "クラウド", "アプリ", "ナビ", "ポータル", "システム", "Pro", "for 自治体"]
_PROJECT_TAILS = ["プロジェクト", "推進事業", "モデル事業", "計画"]


def _zipf(rng: random.Random, size: int, alpha: float = 0.5) -> int:
    """An index in ``0 .. size-1`` with P(k) ~ k^-(1 + alpha): n draws give ~n^(1/(1 + alpha)) values."""
    return min(size, int(rng.paretovariate(alpha))) - 1


def _scramble(i: int, size: int) -> int:
    return (i * 2654435761 + 12345) % size


def _place(rng: random.Random) -> str:
    i = _scramble(_zipf(rng, 40_000), len(_KANJI) ** 2 * 4)
    a, b, c = i % len(_KANJI), (i // len(_KANJI)) % len(_KANJI), i // len(_KANJI) ** 2
    return _KANJI[a] + _KANJI[b] + ("", "地区", "区", "台")[c]


def _municipality(rng: random.Random) -> tuple[str, str]:
    i = _scramble(_zipf(rng, 20_000), len(_KANJI) ** 2 * 3)
    kind = _SUFFIXES[i % 3]
    j = i // 3
    return _KANJI[j % len(_KANJI)] + _KANJI[(j // len(_KANJI)) % len(_KANJI)] + kind, kind


def _product(rng: random.Random) -> str:
    i = _scramble(_zipf(rng, 10**7, 0.2), 10**9)
    if i % 3 == 0:  # a Latin-script tool name
        word = "".join(_LATIN[(i >> (5 * k)) % len(_LATIN)] for k in range(3 + i % 5))
        return word + ("" if i % 7 else str(i % 100))
    syllables = "".join(_KANA[(i >> (6 * k)) % len(_KANA)] for k in range(2 + i % 3))
    return syllables + ("ー" if i % 4 == 0 else "") + _PRODUCT_TAILS[(i // 11) % len(_PRODUCT_TAILS)]


def _noun(rng: random.Random) -> str:
    """An open-ended noun: two kanji words side by side (MeCab reads most as a compound)."""
    i = _scramble(_zipf(rng, 10**6), len(_WORD_KANJI) ** 4)
    k = len(_WORD_KANJI)
    return "".join(_WORD_KANJI[(i // k**j) % k] for j in range(2 + 2 * (i % 2)))


def _loanword(rng: random.Random) -> str:
    """An open-ended katakana word of three to five syllables."""
    i = _scramble(_zipf(rng, 10**7, 0.2), 10**12)
    return "".join(_KANA[(i >> (6 * j)) % len(_KANA)] for j in range(3 + i % 3))


def _slots(rng: random.Random, topic: str, other: str) -> dict[str, str]:
    subjects, activities, problems, targets = _TOPICS[topic]
    o_subjects = _TOPICS[other][0]
    return {
        "subject": rng.choice(subjects),
        "subject2": rng.choice(o_subjects),
        "activity": rng.choice(activities),
        "problem": rng.choice(problems),
        "target": rng.choice(targets),
        "place": _place(rng),
        "facility": rng.choice(_FACILITIES),
        "product": _product(rng),
        "product2": _product(rng),
        "project": _place(rng) + rng.choice(activities) + rng.choice(_PROJECT_TAILS),
        "year": str(rng.randint(2015, 2025)),
        "count": str(rng.choice([2, 3, 5, 10, 12, 20, 30, 50, 100, rng.randint(1, 400)])),
        "percent": str(rng.randint(1, 9)),
        "noun": _noun(rng),
        "noun2": _noun(rng),
        "kana": _loanword(rng),
        "kana2": _loanword(rng),
    }


def _answer_text(rng: random.Random, topic: str) -> str:
    """One free-text answer about ``topic`` (sometimes touching a second topic)."""
    roll = rng.random()
    if roll < 0.025:
        return rng.choice(["特になし", "なし", "特にありません", "ー", "現時点ではなし"])
    if roll < 0.035:
        return ""
    other = topic if rng.random() < 0.8 else rng.choice(_TOPIC_NAMES)
    sentences = []
    for k in range(1 + min(3, int(rng.expovariate(1.1)))):
        slots = _slots(rng, topic if k == 0 or rng.random() < 0.7 else other, other)
        sentences.append(rng.choice(_TEMPLATES).format(**slots))
    text = ("\n" if rng.random() < 0.15 else "").join(sentences) + rng.choice(_TAILS)
    roll = rng.random()
    if roll < 0.02:
        text += f"\n（担当：{rng.choice(_SURNAMES)}）"
    elif roll < 0.03:
        text += f" 連絡先 {rng.choice(_LATIN)}{rng.randint(1, 999)}@city.example.lg.jp"
    elif roll < 0.035:
        text += f" TEL 0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    return text


def generate_answers(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """``n`` survey rows with a generated free-text answer (deterministic for a seed).

    Parameters
    ----------
    n : int
        Number of rows.
    seed : int, default 0

    Yields
    ------
    dict
        The columns of :data:`COLUMNS` plus ``text`` (the answer) and ``topic`` (its main topic).
    """
    rng = random.Random(seed)
    weights = [1.0 / (k + 1) ** 0.6 for k in range(len(_TOPIC_NAMES))]
    for _ in range(n):
        topic = rng.choices(_TOPIC_NAMES, weights)[0]
        town, kind = _municipality(rng)
        text = _answer_text(rng, topic)
        yield {
            "回答日": f"{rng.choice([2023, 2024])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "都道府県": rng.choice(_PREFECTURES),
            "自治体名": town,
            "自治体区分": kind,
            "所属部署": rng.choice(_DEPARTMENTS),
            "職位": rng.choice(_POSITIONS),
            "役割": rng.choice(_ROLES),
            TEXT_COLUMN: text,
            "text": text,
            "topic": topic,
        }


def write_survey(path: Path, n: int, seed: int = 0) -> list[str]:
    """Write ``n`` generated rows as a UTF-8 CSV; returns the main topic of every row."""
    topics: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in generate_answers(n, seed):
            writer.writerow([row[c] for c in COLUMNS])
            topics.append(row["topic"])
    return topics


# -- measuring -------------------------------------------------------------------------------
def _texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row[TEXT_COLUMN] for row in csv.DictReader(f) if row[TEXT_COLUMN].strip()]


def _usage() -> dict[str, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        "rss_mb": me.ru_maxrss / 1024,
        "worker_rss_mb": kids.ru_maxrss / 1024,
    }


def _run_rsnet(
    path: str, out: str, jobs: int | None, reports: bool, stream: bool | None, seed: int = 0
) -> dict[str, object]:
    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.pipeline import run_analysis, write_outputs
    from rsnet_analysis.progress import record_stages

    start = time.perf_counter()
    with record_stages() as times:
        result = run_analysis(AnalysisSettings(inputs=(path,), seed=seed), jobs=jobs, stream=stream)
        write_outputs(result, out, reports=reports)
    kept = result.records[result.records["status"] == "kept"]
    return {
        "wall": time.perf_counter() - start,
        "stages": [(t.name, t.depth, t.wall, t.cpu, t.peak_mb) for t in times],
        "labels": dict(zip(kept["record_id"], kept["cluster"].astype(int), strict=True)),
        "k": int(result.summary["clusters"]),
        "kept": int(len(kept)),
        **_usage(),
    }


def _run_baseline(path: str) -> dict[str, object]:
    import fugashi
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import Normalizer

    start = time.perf_counter()
    stages: list[tuple[str, int, float, float, float]] = []

    def step(name: str, t0: float, c0: float) -> tuple[float, float]:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stages.append((name, 0, time.perf_counter() - t0, time.process_time() - c0, peak))
        return time.perf_counter(), time.process_time()

    t, c = time.perf_counter(), time.process_time()
    texts = _texts(Path(path))
    t, c = step("read", t, c)
    wakati = fugashi.Tagger("-Owakati")
    docs = [wakati.parse(x) for x in texts]
    t, c = step("tokenise", t, c)
    X = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, min_df=2, dtype=np.float32).fit_transform(docs)
    t, c = step("tf-idf", t, c)
    Z = Normalizer().fit_transform(TruncatedSVD(100, random_state=0).fit_transform(X))
    t, c = step("svd", t, c)
    MiniBatchKMeans(20, random_state=0, n_init=3, batch_size=4096).fit_predict(Z)
    step("minibatch k-means", t, c)
    return {"wall": time.perf_counter() - start, "stages": stages, **_usage()}


def _run_parse(path: str) -> dict[str, object]:
    import fugashi

    texts = _texts(Path(path))
    tagger = fugashi.Tagger()
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        tagger.parse(text)
    wall = time.perf_counter() - start
    usage = _usage()
    return {"wall": wall, "stages": [("parse()", 0, wall, time.process_time() - cpu, usage["rss_mb"])], **usage}


def _child(queue: mp.Queue, fn_name: str, args: tuple[object, ...]) -> None:
    queue.put(globals()[fn_name](*args))


def in_fresh_process(fn_name: str, *args: object) -> dict[str, object]:
    """Run one measurement in a new process (its own peak memory, nothing cached)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, fn_name, args))
    proc.start()
    result = queue.get()
    proc.join()
    return result


# -- reporting -------------------------------------------------------------------------------
def _print_run(name: str, run: dict[str, object]) -> None:
    wall, cpu = float(run["wall"]), float(run["cpu"])  # type: ignore[arg-type]
    extra = f", workers' peak {run['worker_rss_mb']:,.0f} MB" if float(run.get("worker_rss_mb", 0)) > 1 else ""  # type: ignore[arg-type]
    print(f"  {name:<10} {wall:8.1f} s wall {cpu:8.1f} CPU-s  CPU/wall {cpu / wall:4.2f}  peak RSS {run['rss_mb']:,.0f} MB{extra}")
    merged: dict[tuple[str, int], list[float]] = {}
    for stage_name, depth, s_wall, s_cpu, peak in run["stages"]:  # type: ignore[attr-defined]
        cell = merged.setdefault((stage_name, depth), [0.0, 0.0, 0.0])
        cell[0] += s_wall
        cell[1] += s_cpu
        cell[2] = max(cell[2], peak)
    for (stage_name, depth), (s_wall, s_cpu, peak) in merged.items():
        if s_wall >= 0.05:
            print(f"      {'  ' * depth}{stage_name:<22} {s_wall:8.1f} s  {s_cpu:8.1f} CPU-s  "
                  f"{s_cpu / max(s_wall, 1e-9):4.2f}  peak {peak:6,.0f} MB")


def _exponents(sizes: list[int], walls: list[float]) -> str:
    pairs = zip(zip(sizes, walls, strict=True), zip(sizes[1:], walls[1:], strict=True), strict=False)
    return ", ".join(
        f"{n1:,}->{n2:,}: {math.log(t2 / t1) / math.log(n2 / n1):.2f}" for (n1, t1), (n2, t2) in pairs
    )


def agreement(path: Path, out: Path, jobs: int | None, seed: int) -> None:
    """Partitions of the streaming and the in-memory path on the same file, beside the method's own spread.

    The in-memory path is also run with another seed: how well two in-memory runs agree is the
    yardstick for how well the streaming run agrees with one. Every partition is also compared
    with the generated answers' main topics.
    """
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    topics = [row["topic"] for row in generate_answers(_rows_in(path), seed)]
    runs = {
        "in-memory": in_fresh_process("_run_rsnet", str(path), str(out / "in-memory"), jobs, False, False, 0),
        "in-memory, seed 1": in_fresh_process("_run_rsnet", str(path), str(out / "seed1"), jobs, False, False, 1),
        "streaming": in_fresh_process("_run_rsnet", str(path), str(out / "streaming"), jobs, False, True, 0),
    }
    ids = sorted(runs["in-memory"]["labels"])  # type: ignore[call-overload]
    truth = [topics[int(i.rsplit(":", 1)[1]) - 2] for i in ids]
    parts = {name: [run["labels"][i] for i in ids] for name, run in runs.items()}  # type: ignore[index]
    print(f"\npartitions of {len(ids):,} answers of {path.name} (V-measure / adjusted Rand index):")
    for a, b in [("in-memory", "streaming"), ("in-memory", "in-memory, seed 1"), ("streaming", "in-memory, seed 1")]:
        print(f"  {a:<18} vs {b:<18} {v_measure_score(parts[a], parts[b]):.3f} / {adjusted_rand_score(parts[a], parts[b]):.3f}")
    for name, labels in parts.items():
        print(f"  {name:<18} vs generated topics   {v_measure_score(truth, labels):.3f} / "
              f"{adjusted_rand_score(truth, labels):.3f}  ({runs[name]['k']} clusters)")
    for name, run in runs.items():
        _print_run(name, run)


def sample_paths() -> None:
    """The bundled sample through both paths, scored on its hand labels (``data/sample/labels_*.csv``).

    Every labelled answer that is kept and not labelled ``none``, dev and test splits together: the
    V-measure of the clusters, the macro F1 of the codebook challenges (``challenge`` against the
    label, per challenge that has labels) and the agreement of the two partitions. The sample has
    two questions, which the streaming path clusters together (``docs/scale.md``, step 4).
    """
    import pandas as pd
    from sklearn.metrics import f1_score, v_measure_score

    from rsnet_analysis.contract import AnalysisSettings
    from rsnet_analysis.pipeline import run_analysis

    root = Path(__file__).resolve().parents[1] / "data" / "sample"
    gold = pd.concat([pd.read_csv(p, encoding="utf-8-sig") for p in sorted(root.glob("labels_*.csv"))])
    gold = gold[gold["label"] != "none"].set_index("record_id")["label"]
    runs = {"in-memory": run_analysis(AnalysisSettings()), "streaming": run_analysis(AnalysisSettings(), stream=True)}
    kept = {name: r.records[r.records["status"] == "kept"].set_index("record_id") for name, r in runs.items()}
    ids = sorted(set(gold.index) & set(kept["in-memory"].index) & set(kept["streaming"].index))
    truth = gold.loc[ids]
    print(f"\nthe bundled sample, {len(ids):,} labelled answers, both paths (V-measure, key F1):")
    for name, table in kept.items():
        clusters, named = table.loc[ids, "cluster"].astype(int), table.loc[ids, "challenge"].fillna("").astype(str)
        f1 = sum(f1_score(truth == key, named == key) for key in sorted(set(truth))) / len(set(truth))
        print(f"  {name:<10} V {v_measure_score(truth, clusters):.3f}  key F1 {f1:.3f}  ({clusters.nunique()} clusters)")
    a, b = (kept[n].loc[ids, "cluster"].astype(int) for n in ("in-memory", "streaming"))
    print(f"  in-memory vs streaming: V {v_measure_score(a, b):.3f}")


def _rows_in(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reports-up-to", type=int, default=100_000, help="write the reports up to this size")
    parser.add_argument("--agreement", type=int, default=0, help="compare streaming and in-memory at this size")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the generated files and outputs")
    parser.add_argument("--sample-paths", action="store_true", help="both paths on the bundled sample, against its labels")
    parser.add_argument("--only", choices=["rsnet", "baseline", "parse"], nargs="+", default=["rsnet", "baseline", "parse"])
    args = parser.parse_args(argv)
    import tempfile

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"files in {root}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    walls: dict[str, list[float]] = {name: [] for name in args.only}
    for n in args.sizes:
        path = root / f"answers_{n}.csv"
        if not path.exists():
            write_survey(path, n, args.seed)
        print(f"\n{n:,} answers ({path.stat().st_size / 1e6:,.0f} MB)")
        for name in args.only:
            if name == "rsnet":
                run = in_fresh_process("_run_rsnet", str(path), str(root / f"out_{n}"), args.jobs, n <= args.reports_up_to, None)
                print(f"  (kept {run['kept']:,}, {run['k']} clusters, reports {'on' if n <= args.reports_up_to else 'off'})")
            else:
                run = in_fresh_process(f"_run_{name}", str(path))
            walls[name].append(float(run["wall"]))  # type: ignore[arg-type]
            _print_run(name, run)
    if len(args.sizes) > 1:
        print("\ngrowth exponent of the wall time (1 = linear):")
        for name, values in walls.items():
            print(f"  {name:<10} {_exponents(args.sizes, values)}")
    if args.agreement:
        path = root / f"answers_{args.agreement}.csv"
        if not path.exists():
            write_survey(path, args.agreement, args.seed)
        agreement(path, root, args.jobs, args.seed)
    if args.sample_paths:
        sample_paths()
    print(json.dumps({"sizes": args.sizes, "walls": walls}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
