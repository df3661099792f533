"""Members' practices in the reports (issue 12): sections per question, credit to municipalities,
never to a person; the option that names no municipality at all."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from rsnet_analysis.cli import main
from rsnet_analysis.contract import AnalysisSettings
from rsnet_analysis.pipeline import run_analysis, write_outputs
from rsnet_analysis.report import report_context

# people planted in practice answers; none may reach a report
PEOPLE = ["山田", "佐藤 花子", "Taro SUZUKI", "たなか", "高橋主査"]
PRACTICES = [
    "担当の山田が中心になって、庁内報で修了者の取り組みを紹介するコーナーを始めました。",
    "佐藤 花子さんの発案で、昼休みの15分勉強会を始め、参加者は毎回10人ほどになりました。",
    "Taro SUZUKI（CIO補佐官）と一緒に、業務改善の事例集を作って全庁に配りました。",
    "研修の案内文の見出しを変えたら、申込みが前年の2倍に増えました。問い合わせは たなか まで。",
    "高橋主査の呼びかけで、各課に推進員を置き、毎月の情報共有の場を作りました。",
    # and practices that name nobody
    "受講者どうしで質問しあえるチャットを作り、月に数件の相談が出るようになりました。",
    "近隣の町と合同でオンライン研修を開いたところ、参加者が前年の倍になりました。",
    "生成AIの利用ガイドラインを作り、全職員向けの説明会を3回開きました。",
    "課長会で研修の中身を5分で紹介する時間をもらい、研修に出してくれる課が増えました。",
    "業務の棚卸しをして、研修に出る職員の仕事を分担する仕組みを作りました。",
]
CHALLENGES = [
    "研修を受けても現場で使う機会がなく、学んだことがすぐに忘れられてしまいます。",
    "職員が少なく、研修に出す時間そのものが取れないのが一番の悩みです。",
    "生成AIの利用ルールをどう作ればよいか分からず、各課で使い方がばらばらです。",
    "DXを進めたいが、何から手を付ければよいか分からない。他の自治体の事例を知りたい。",
    "管理職の理解が得られず、研修に職員を出してもらえません。",
]
PLACES = [("札幌市", "北海道"), ("仙台市", "宮城県"), ("前橋市", "群馬県"), ("長野市", "長野県"), ("京都市", "京都府"),
          ("広島市", "広島県"), ("高松市", "香川県"), ("福岡市", "福岡県"), ("那覇市", "沖縄県"), ("小布施町", "長野県")]


@pytest.fixture(scope="module")
def two_questions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-question survey (課題 and 取り組み・成果) in two waves, people named in the practices."""
    folder = tmp_path_factory.mktemp("two_q")
    for year in (2023, 2024):
        with (folder / f"survey_{year}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["回答日", "自治体名", "都道府県", "所属部署", "現在抱えている課題", "この1年で取り組んだこと・その成果"])
            for i in range(60):
                name, pref = PLACES[i % len(PLACES)]
                writer.writerow([f"{year}-07-{1 + i % 28:02d}", name, pref, f"課{i}",
                                 CHALLENGES[i % 5] + f"（{i}）", PRACTICES[i % 10] + f"（{year}-{i}）" if i % 3 else ""])
    return folder


@pytest.fixture(scope="module")
def outputs(two_questions: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("two_q_out")
    assert main(["analyze", str(two_questions), "--out", str(out), "--no-progress"]) == 0
    return out


def _report_texts(out: Path) -> dict[str, str]:
    texts = {name: (out / name).read_text(encoding="utf-8") for name in ("report.html", "report.md", "newsletter.txt")}
    book = pd.read_excel(out / "report.xlsx", sheet_name=None, dtype=str)
    texts["report.xlsx"] = "\n".join(table.fillna("").to_csv(index=False) for table in book.values())
    return texts


def test_one_command_reads_both_questions_and_reports_each_in_its_own_section(outputs: Path) -> None:
    html = (outputs / "report.html").read_text(encoding="utf-8")
    assert "設問：現在抱えている課題" in html and "設問：この1年で取り組んだこと・その成果" in html
    assert html.index("設問：現在抱えている課題") < html.index("設問：この1年で取り組んだこと・その成果")
    assert "取り組み・成果の報告が多かった課題" in html  # the practice question ranks what members did
    records = pd.read_csv(outputs / "records.csv", encoding="utf-8-sig", dtype=str)
    assert set(records["question"]) == {"現在抱えている課題", "この1年で取り組んだこと・その成果"}
    assert {"practice", "result", "challenge"} <= set(records["kind"].dropna())
    sheet = pd.read_excel(outputs / "report.xlsx", sheet_name="事例・成果", dtype=str)
    assert {"取り組み", "成果"} <= set(sheet["種類"]) and set(sheet["自治体"]) <= {p for p, _ in PLACES}


def test_no_person_named_in_an_answer_reaches_a_practice_shown(outputs: Path) -> None:
    for name, text in _report_texts(outputs).items():
        for person in PEOPLE:
            for part in person.split():
                assert part not in text, (name, part)
        if name != "report.xlsx":  # the answers sheet holds masked answers; no voice does
            assert not re.search(r"「[^「」]*〔[^「」]*」", text), name
    html = (outputs / "report.html").read_text(encoding="utf-8")
    shown = re.findall(r"<strong>([^<]+)</strong>：「", html)
    assert shown and set(shown) <= {p for p, _ in PLACES}  # credited to a municipality, never a person


def test_the_sections_of_the_sample_name_practices_results_and_requests() -> None:
    result = run_analysis(AnalysisSettings())
    context = report_context(result)
    first = context["sections"][0]
    assert not first["about_practice"] and context["sections"][1]["about_practice"]
    examples = [p for item in first["leading"] for p in item["practices"]]
    assert len(examples) >= 5 and all(p["municipality"] for p in examples)
    assert all(re.search(r"[0-9０-９]", r["text"]) for r in context["results"]) and context["results"]
    assert context["requests"] and context["pairings"]
    records = result.records.set_index("record_id")
    people = records["text_clean"].astype(str)
    for p in examples + context["results"]:
        assert "〔" not in p["text"]
        assert any(p["text"].rstrip("…").replace("『", "「").replace("』", "」")[:15] in t for t in people)


def test_municipality_names_can_be_left_out(two_questions: Path, tmp_path: Path) -> None:
    result = run_analysis(AnalysisSettings(inputs=(str(two_questions),), name_municipalities=False))
    write_outputs(result, tmp_path, reports=True)
    for name, text in _report_texts(tmp_path).items():
        for place, _pref in PLACES:
            assert place not in text, (name, place)
    assert "--no-municipality-names" in (tmp_path / "report.md").read_text(encoding="utf-8")
