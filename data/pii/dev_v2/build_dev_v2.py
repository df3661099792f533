"""Write the masking-v2 development cases into ../pii_cases.csv and ../no_pii.csv.

Cases are written as ``[[k:span]]`` markup (k = n name, e email, p phone, i id, u url, a address,
b birthdate), so ``text`` and ``expected`` cannot drift apart. Written for masking v2 from the
issue text, before the holdout2 misses were looked at; cases added later for a general rule are
marked with a comment. Run: ``python data/pii/dev_v2/build_dev_v2.py`` (idempotent: rows with
ids from here are replaced).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOLDERS = {
    "n": "〔氏名〕", "e": "〔メール〕", "p": "〔電話〕", "i": "〔ID〕", "u": "〔URL〕",
    "a": "〔住所〕", "b": "〔生年月日〕",
}
MARK = re.compile(r"\[\[([nepiuab]):(.+?)\]\]", re.DOTALL)

CASES = [
    # names in latin letters, any case and width
    "回答者：[[n:ＳＡＴＯ　ＫＥＮＴＡ]]\n所属：情報システム課\n研修の録画を後から見られるようにしてほしいです。",
    "[[n:WATANABE Yuki]]（DX推進アドバイザー）\n庁内の業務改善の伴走をしています。",
    "作成者：[[n:Yuki Watanabe]]\n次回は事例集を作ります。",
    "ガラケーからなので失礼します。\n[[n:kenta mori]]",
    "記入者: [[n:takahashi misaki]]",
    "[[n:Kobayashi]]-sanにマクロを教わりました。",
    "[[n:Maria Santos]]（[[p:090-2345-6789]]）\nフィリピン出身の会計年度任用職員です。",
    "Name: [[n:Daniel Brown]]\nALTとして英語の研修動画を作りました。",
    "[[n:Sakamoto]]が作ったマクロを全庁で使っています。",
    "問い合わせ：[[n:NAKAMURA Sho]] / [[e:sho.nakamura@city.example.lg.jp]]",
    "記入者名：[[n:ﾀﾅｶ ﾐｶ]]\nﾘｽｷﾘﾝｸﾞ研修は役に立ちました。",
    "以上\n[[n:HAYASHI Ken]]\nSmart City Promotion Office",
    "[[n:Taro Suzuki]]さんが英語で発表してくれました。",
    "[[n:Ｙａｍａｇｕｃｈｉ Ｒｉｅ]]\n全角で失礼します。",
    "報告者：[[n:Olivia Chen]]（国際交流員）",
    # names alone on a line (also after the cleaner joined the lines with " / ")
    "庁内の理解が進みません。 / [[n:西村 恵]]",
    "ご検討よろしくお願いします。\n企画課\n[[n:松井]]",
    "予算がないのが一番の悩みです / 総務課 [[n:内田]]",
    "研修の動画化を進めています。 / [[n:kenta mori]]",
    "回答者：[[n:Kenji Ito]] / 研修の感想を送ります。",
    # readings in brackets
    "[[n:長谷部（はせべ）]]と申します。初めて参加しました。",
    "担当：[[n:小野寺（おのでら）]]\n月曜は不在です。",
    "[[n:小鳥遊（たかなし）]]です。珍しい名字とよく言われます。",
    "[[n:村上 誠（むらかみ まこと）]]と申します。",
    "[[n:南（みなみ）]]主査から研修の説明がありました。",
    "講師の[[n:五十嵐（いがらし）]]さんの話が参考になりました。",
    # labels of notes and sign-offs
    "## 2班\n記録：[[n:長谷川]]\n- 研修の予算確保が共通の課題。",
    "文責：[[n:島田]]（事務局）",
    "書記：[[n:桑原]]\n・発言者は順不同",
    "記録者 [[n:森本]]",
    "（記入：[[n:大野]]）",
    "司会：[[n:今村]]、記録：[[n:木下]]",
    "回答者：[[n:片山 亮]]",
    "**[[n:森]]（総務課）**：研修の動画化を進めている。",
    "[[n:岩田]]より：次回の日程は追って連絡します。",
    "ファシリテーター：[[n:石原]]\n参加：5自治体",
    # whole names, never half-masked
    "外部講師の[[n:アンナ・マリア・コヴァルスカ]]さんに講義をお願いしました。",
    "ALTの[[n:ジェームズ・ウィルソン]]先生が英語版の資料を作りました。",
    "[[n:Hiroshi Kato]] / [[p:080-1111-2222]]",
    # a surname that is also a place name, used for a person
    "[[n:福島]]さんと福島県の研修について話しました。",
    "担当：[[n:熊本]]\n熊本市の事例も参考にしています。",
    "[[n:長崎]]係長が長崎市との連携を進めています。",
    "[[n:岡山]]です。岡山県の市町村研修の企画をしています。",
    # IDs: LINE IDs, handles, staff numbers
    "LINE ID：[[i:kenji_dx2020]]\nお気軽にどうぞ。",
    "LINEのIDは[[i:mika.reskill]]です。",
    "X（旧Twitter）のアカウントは[[i:@gyosei_dx_kumi]]です。",
    "Instagram: [[i:@nao_photo_dx]]",
    "職員番号 [[i:20458]]　氏名 [[n:横田 美穂]]",
    "職員番号：[[i:S-10293]]",
    "社員番号（[[i:E00321]]）で登録しました。",
    "LoGoチャットのIDは[[i:ishii-t]]です。",
    "Slackで[[i:@kaneko_y]]にメンションしてください。",
    "Discordは[[i:mokumoku_taku#0412]]です。",
    "職員ＩＤ：[[i:１２０３４５]]",
    "GitHub：[[i:@yuta-dev]]",
    "個人のLINE（[[i:haru_0815]]）で連絡をください。",
    # personal URLs (public sites stay)
    "個人ブログ：[[u:https://kumi-dx.hatenablog.com/entry/2024/05/01/120000]]",
    "noteに研修の感想を書きました。[[u:https://note.com/koumuin_kaori/n/n0f1e2d3c4b5a]]",
    "X: [[u:https://x.com/gyosei_tanaka]]",
    "私のポートフォリオは[[u:https://www.koji-design.example.com/]]にあります。",
    "[[u:https://www.instagram.com/mari_reskill/]]で発信しています。",
    "デジタル庁の資料 https://www.digital.go.jp/policies/ と、[[n:小松]]さんのブログ（[[u:https://komatsu-note.example.net/]]）が参考になります。",
    "YouTube：[[u:https://www.youtube.com/@koumuin_excel]]",
    "記事は[[u:https://zenn.dev/kenta_gov]]にまとめています。",
    "[[u:https://www.linkedin.com/in/mika-ono-123/]]",
    "連絡先の一覧：[[u:https://linktr.ee/aya_dx]]",
    "育休中の記録を書いています（[[u:https://ameblo.jp/mama-koumuin/]]）。",
    "市の計画（https://www.city.example.lg.jp/dx/plan.html）と私見（[[u:https://ryo-dx.hatenablog.jp/]]）",
    "[[u:https://github.com/sho-gov/excel-macros]]にマクロを置いています。",
    # street addresses and postal codes
    "送付先：[[a:〒380-0836 長野県長野市南県町5-12-8]]",
    "自宅住所：[[a:横浜市港北区日吉本町3丁目14番2号]]",
    "[[a:〒812-0011]] 宛に送ってください。",
    "自宅は[[a:川崎市中原区小杉町2-7-15 サンハイツ305号室]]です。",
    "実家は[[a:北海道帯広市西5条南12丁目4-3]]です。",
    "[[a:〇〇郡△△町大字中山456番地]]の集会所で教室を開いています。",
    "住所：[[a:神戸市中央区山本通4丁目8-21-502]]",
    "[[a:つくば市竹園2丁目5番地3]]に住んでいます。",
    "資料は自宅（[[a:千葉県船橋市前原西6-21-4]]）へお願いします。",
    "差出人：[[n:森田 一樹]]（[[a:〒950-0088 新潟市中央区万代2-8-31-1502]]）",
    # birth dates
    "生年月日：[[b:昭和61年9月2日]]",
    "[[b:1991年7月20日]]生まれです。",
    "DOB: [[b:1987-11-05]]",
    "生年月日 [[b:H5.3.18]]",
    "誕生日は[[b:1984年2月9日]]です。",
    "受講者：[[n:北村 亜美]]（[[b:1979/06/30]]生）",
    "[[b:平成2年1月8日]]生まれの32歳です。",
    "Born on [[b:March 12, 1990]] in Sapporo.",
    "生年月日は[[b:１９９３年４月１日]]、所属は税務課です。",
    "[[b:S55.10.1]]生まれ",
    # everything together
    "[[n:増田 京子]] / [[e:masuda.k@example.jp]] / [[p:090-3333-4444]] / [[a:高崎市八島町15-6-201]]",
    # added after the holdout2 misses of v2, one per general rule (own wording, never the holdout's)
    "電話 [[p:011-234-5678（内線 789）]]",  # an extension in brackets belongs to the number
    "[[n:Maria Reyes]]（[[p:+63 917 555 0123]]）\nフィリピンの自治体との交流を担当しています。",  # foreign number
    "議事録作成：[[n:Ken Ogawa]]\n次回は11月です。",  # 〜作成 is a label
    "資料は来週お送りします。[[n:Kenichi Hara]]",  # a romanised name ending the answer
    "[[n:Park Jiwoo]]（[[n:朴 智友]]）さんが韓国の事例を紹介しました。",  # latin name, bracket, honorific
    "資料が必要な方は[[n:小山]]までご一報ください。",  # まで + ご一報
    "研修の申込は[[n:片岡]]まで。受付は平日のみです。",  # まで at the end of a sentence
    "先月から[[n:小野]]と一緒に庁内を回っています。",  # と一緒に
    "DXは[[n:林]]ひとりで担当しています。",  # ひとりで
    "問い合わせ [[p:0120-111-222]]（観光協会・[[n:西田]]）",  # an organisation and a name in brackets
    "至急の場合は [[p:080-2222-1111]] [[n:関]] まで。",  # a number, then a short name, then まで
    "[[n:小西]]の携帯に連絡してください。",  # a name and a personal belonging
    "[[n:岡本]]の自宅はこの近くです。",
    "お礼状は[[n:森]]宛にお送りください。",  # 宛 after a surname that is also a noun
    "[[n:森下]]（社員番号：[[i:E1234]]）が担当します。",  # a labelled contact in brackets after a name
    "[[n:市川]]、[[b:平成4年5月6日]]生まれです。",  # a name, then a birth date
    "[[n:大西]]（[[b:1990年1月2日]]生まれ）は入庁10年目です。",
    "記入者：[[n:今泉]]\n来年度も[[n:今泉]]が研修を担当します。",  # a name found once is a name everywhere
    "氏名 [[n:熊谷 次郎]]\n所属 税務課",  # a place-like surname and a given name after a label
    "詳しくはスライドをご覧ください。（[[n:熊谷]]）",  # a place-like surname signing in brackets
    "[[n:みさき]]より\n次回もよろしくお願いします。",  # a name in kana opening a message
    "サポーター[[i:@mina_dx]]が手伝ってくれました。",  # a handle after katakana ending in ー
    "**[[n:木下]]（コーディネーター）**：次の議題に移ります。",  # a role in katakana is no reading
    "資料の取りまとめは[[n:宮本]]が行いました。",  # a tagged surname acting in the sentence
    "[[n:松下]]の携帯が変わりました。",  # a proper noun (also a company) owning a phone
    "ご質問は、[[n:北村]] TEL [[p:03-1111-2222]] へ。",  # a name, a phone label, the number
    "担当：[[n:上野]]\n資料は毎回[[n:上野]]がまとめます。",  # repeated after an adverbial noun
    "郵送先：[[a:〒700-0822 岡山市北区表町2-4-6]] [[n:吉岡]] 宛",  # a name after an address
]

NO_PII = [
    "担当：人事課研修係",
    "回答者：係長",
    "文責：事務局",
    "記録：事務局（DX推進課）",
    "福岡県と熊本県の合同研修を検討しています。",
    "千葉県内の市町村で勉強会を開きました。",
    "長野市の方からの問い合わせが増えています。",
    "松本市在住の講師に来てもらいました。",
    "市の公式サイト https://www.city.example.lg.jp/ に掲載しています。",
    "県のページ https://www.pref.example.lg.jp/dx/kenshu.html を見てください。",
    "総務省の資料（https://www.soumu.go.jp/main_content/000123456.pdf）が参考になります。",
    "申込はこちら：https://connpass.com/event/123456/",
    "イベントページ https://peatix.com/event/1234567 から申し込めます。",
    "弊社のサービス紹介 https://www.example.co.jp/service/dx/",
    "市の公式X（https://x.com/example_city_official）でも告知します。",
    "市公式YouTubeチャンネル https://www.youtube.com/@ExampleCityChannel に動画を載せました。",
    "Power Automate DesktopとLooker Studioを比べています。",
    "Google Workspace / Microsoft Teams / Notion AI",
    "kintone\nCanva Pro",
    "講習の単価@1,200円で見積もりました。",
    "#自治体DX #リスキリング のタグで発信しています。",
    "研修コード DX-201 で申し込んでください。",
    "事業番号 2025-02-011 の補助金を使いました。",
    "ISBN 978-4-12-345678-9 の本を教材にしました。",
    "昭和48年4月1日に市制施行した町です。",
    "令和6年4月1日施行の規程に合わせました。",
    "2024年6月15日に研修を実施しました。",
    "1990年代生まれの職員が増えています。",
    "H31.4.1から運用を始めました。",
    "第3-2回の研修資料",
    "資料3-1-2を参照してください。",
    "中央2丁目の公民館で開催しました。",
    "市役所本庁舎3階の会議室です。",
    "職員番号の管理が課題です。",
    "LINEの公式アカウントで情報発信を始めました。",
    "LINE WORKSを導入しました。",
    "佐賀県さんの取組を参考にしました。",
    "事務局さんに感謝しています。",
    "ご担当者様宛にお送りします。",
    "中野区、大田区、白石市の事例",
    "〇〇市の研修に参加しました。",
    "SNSのアカウントを持っていない職員も多いです。",
    "研修 / 予算 / 人材",
    "人事課 / 情報政策課",
    "kintone / Power BI",
    "午前 / 午後の2回に分けました。",
    "総務課 / 企画課",
    "DX推進課\nデジタル戦略室",
    "郵便番号の入力ミスが多いです。",
    "生年月日の入力欄は不要だと思います。",
    "誕生日休暇の制度があります。",
    "住所：市役所（代表）",
    "国道20号線沿いの会場です。",
    "3-2-1の順で説明しました。",
    "市制施行70周年（1954年4月1日）の記念事業",
    "Excel、Word、PowerPointの基礎研修",
    "ChatGPT Enterprise を試行しています。",
    "Smart City Promotion Office",
    "Digital Transformation Division",
    "https://www.e-gov.go.jp/ で条例を確認しました。",
    "note.comの記事を研修で紹介しました。",
    "東京都港区で開かれたセミナーに参加しました。",
    "大阪府吹田市の事例が参考になりました。",
    "福岡に出張しました。 / 熊本にも行きました。",
    # added with the rules above
    "電話（代表）におかけください。",
    "研修会（長野・松本）",
    "大阪が一番参加者が多かったです。",
    "宮崎の事例が参考になりました。",
    "東京と大阪で開催しました。",
    "平成が終わってから始まった制度です。",
    "+1のオプションで申し込みました。",
    "長野までお気軽にお越しください。",
    "会場の確認をお願いします。（東京）",
    "国道20号沿いの会場です。",
    "ChatGPTさんに聞いてみた、という職員もいます。",
]


def _split(marked: str) -> tuple[str, str]:
    text = MARK.sub(lambda m: m.group(2), marked)
    expected = MARK.sub(lambda m: HOLDERS[m.group(1)], marked)
    return text, expected


def _rewrite(path: Path, prefix: str, rows: list[list[str]], header: list[str]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        old = [r for r in csv.reader(f)][1:]
    keep = [r for r in old if not r[0].startswith(prefix)]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(keep + rows)


def main() -> None:
    cases = [[f"v2p{k + 1:03d}", *_split(c)] for k, c in enumerate(CASES)]
    clean = [[f"v2n{k + 1:03d}", t] for k, t in enumerate(NO_PII)]
    _rewrite(HERE.parent / "pii_cases.csv", "v2p", cases, ["case_id", "text", "expected"])
    _rewrite(HERE.parent / "no_pii.csv", "v2n", clean, ["case_id", "text"])
    print(len(cases), "cases,", len(clean), "PII-free")


if __name__ == "__main__":
    main()
