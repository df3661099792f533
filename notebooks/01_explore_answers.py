# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: rsnet-analysis
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 回答を眺める（KH Coder 風の探索）
#
# アンケートの自由記述と情報交換会のメモを読み込み、KH Coder でおなじみの分析
# （抽出語リスト・KWIC コンコーダンス・共起ネットワーク・特徴語）で全体像をつかみます。
#
# **来年このノートブックを動かす人へ**
#
# - 下の「パラメータ」のセルだけを書き換えてください。ほかのセルは触らなくて動きます。
# - 新しいアンケートを分析するときは `inputs` にファイルのパスを書きます（このフォルダ `notebooks/` からの相対パス）。
#   例: `inputs = ["../data/2025/survey_2025.xlsx"]`
# - 上のメニューの「Run All（すべて実行）」で最後まで動きます。
# - 表示するのは**個人情報を伏せた本文（`text_masked`）だけ**です。氏名・メール・電話は 〔氏名〕〔メール〕〔電話〕 に置き換わっています。
#   元の本文（`text_original` / `text_clean`）は表示しないでください。

# %% tags=["parameters"]
inputs: list[str] = []  # 空なら同梱のサンプルデータ（../data/sample）
text_cols: list[str] = []  # 自由記述の列名（設問ごとに 1 つ。見出しが違うときは "名前=見出し1|見出し2"）。空なら自動
seed = 0  # 乱数の種（同じ値なら毎回同じ結果）
k = "auto"  # 課題のまとまり（クラスタ）の数。"auto" で自動
period = "year"  # 波（比較の単位）: "year"=年 / "fiscal"=年度（4月〜翌3月） / "half" / "quarter" / "file"
segment_col = "自治体区分"  # 特徴語を比べる属性の列
keyword = "リスキリング"  # KWIC で前後の文脈を見る語
pos = ["名詞", "動詞", "形容詞", "形状詞"]  # 抽出語リストを出す品詞
top = 15  # 抽出語リストに出す語の数

# %% [markdown]
# ## 1. 準備と分析の実行
#
# `cached_analysis` が読み込み → 表記ゆれの正規化 → 個人情報のマスキング → 分かち書き（1 回だけ）→ 課題の発見 →
# 波・属性の比較までを一度に行います。サンプルデータで 20 秒ほどかかります。同じファイル・同じ設定なら、
# 2 回目からと、ほかのノートブックでは、保存した結果（このフォルダの `.rsnet-cache/`、元の本文は含みません）を読み込むだけです。

# %%
# %matplotlib inline
import pandas as pd
from IPython.display import display

from rsnet_analysis import explore
from rsnet_analysis.cache import cached_analysis
from rsnet_analysis.contract import AnalysisSettings
from rsnet_analysis.prepare import status_counts
from rsnet_analysis.progress import progress_enabled
from rsnet_analysis.report import cooccurrence_figure, public_records

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.max_rows", 100)

# %%
settings = AnalysisSettings.from_parameters(inputs=inputs, text_cols=text_cols, k=k, period=period, seed=seed)
result = cached_analysis(settings, progress=progress_enabled())  # 2 回目からは保存した結果を読む
records = public_records(result.records)  # 元の本文を含まない表（以降はこれだけを使う）
for notice in result.notices:
    print(notice)

# %% [markdown]
# ## 2. レコード表（先頭 10 行）
#
# 1 行が 1 つの回答（またはメモの 1 項目）です。`record_id` は「ファイル名:行番号」で、元のファイルのどの行かがわかります。
# `status` が `kept` の行だけを分析に使います。

# %%
display(records[["record_id", "source_type", "status", segment_col, "wave", "text_masked"]].head(10))

# %% [markdown]
# ## 3. 行の内訳（除外した理由）
#
# 空欄（`empty`）、「特になし」などの非回答（`non_answer`）、#N/A などの Excel のエラー値（`error_value`）、
# 同じ人の同じ回答の重複（`duplicate`）は分析から外します。
# ファイルごとの件数も確かめて、読み込み漏れがないかを見てください。

# %%
display(pd.Series(status_counts(result.records), name="件数").rename_axis("status").to_frame())

# %%
display(pd.crosstab(records["source_file"], records["status"], margins=True, margins_name="合計"))

# %% [markdown]
# ## 4. 抽出語リスト（品詞別）
#
# 分析に使う回答に出てくる語の頻度です。`count` は出現回数、`documents` はその語を含む回答の数です。
# 「課題」「こと」などどの回答にも出る語はストップワードとして除いています（`rsnet_analysis/resources/stopwords_ja.txt`）。

# %%
terms = explore.frequency_table(result.records, pos=pos, top=None)  # 品詞つきで 1 回だけ数える
for part in pos:
    print(f"■ {part}")
    display(terms[terms["pos"] == part].head(top).reset_index(drop=True))

# %% [markdown]
# ## 5. KWIC コンコーダンス
#
# パラメータの `keyword` が、どんな文脈で使われているかを前後 20 文字で並べます（全角・半角、大文字・小文字は区別しません）。

# %%
concordance = explore.kwic(result.records, keyword, width=20)
print(f"「{keyword}」の出現: {len(concordance)} 件")
display(concordance)

# %% [markdown]
# ## 6. 共起ネットワーク（Jaccard 係数）
#
# 同じ回答の中で一緒に使われやすい語を線で結びます。よく出る 60 語のうち、Jaccard 係数 0.1 以上・2 件以上の回答で
# 共起する組を、強い順に最大 80 本まで描きます。円の大きさは語を含む回答数、色は結びつきの強いまとまりです。
# 配置は乱数の種を固定しているので、同じデータなら毎回同じ図になります。

# %%
edges = explore.cooccurrence(result.records, top_terms=60, min_jaccard=0.1, max_edges=80)
display(edges.head(20))

# %%
display(cooccurrence_figure(edges, seed=seed))

# %% [markdown]
# ## 7. 属性ごとの特徴語
#
# `segment_col`（例: 自治体区分）の区分ごとに、その区分の回答に特に多い語を Jaccard 係数の高い順に並べます
# （KH Coder の「特徴語」と同じ考え方です）。回答者が 5 人未満の区分は、個人が特定されないよう表示しません。
# `lift` は「区分内の割合 ÷ 全体の割合」で、1 より大きいほどその区分に偏っています。

# %%
display(explore.characteristic_words(result.records, segment_col, top=8))
