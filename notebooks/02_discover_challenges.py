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
# # 02 課題を見つける（クラスタとコードブック）
#
# 回答を内容の近さでまとまり（クラスタ）に分け、それぞれに名前を付け、代表的な回答と安定性を確かめます。
# さらに、コードブック（`rsnet_analysis/resources/codebook.yaml` の課題一覧）との対応と、
# 人が付けた正解ラベルとの一致度（評価）を見ます。
#
# **来年このノートブックを動かす人へ**
#
# - 書き換えるのは「パラメータ」のセルだけです。
# - コードブックにない新しい課題は「（名前のない課題）」として残ります。見落とさないように、最後の表で確かめてください。
# - 正解ラベル（`labels`）は人が付けた答え合わせ用のファイルです。新しい年度に正解ラベルがなければ `labels = []` にします。

# %% tags=["parameters"]
inputs: list[str] = []  # 空なら同梱のサンプルデータ（../data/sample）
text_cols: list[str] = []  # 自由記述の列名（設問ごとに 1 つ。見出しが違うときは "名前=見出し1|見出し2"）。空なら自動
seed = 0  # 乱数の種（同じ値なら毎回同じ結果）
k = "auto"  # クラスタの数。"auto" で自動
period = "year"  # 波（比較の単位）: "year"=年 / "fiscal"=年度（4月〜翌3月） / "half" / "quarter" / "file"
codebook = None  # 独自のコードブック（YAML）のパス。None なら同梱のもの
labels = [  # 人が付けた正解ラベル（評価用）。なければ []
    "../data/sample/labels_2023.csv",
    "../data/sample/labels_2024.csv",
    "../data/sample/labels_notes.csv",
]
split = "test"  # 評価に使うラベルの分割（"dev" はルール調整用、"test" は最終評価用）

# %% [markdown]
# ## 1. 準備と分析の実行

# %%
# %matplotlib inline
import pandas as pd
from IPython.display import display

from rsnet_analysis.cache import cached_analysis
from rsnet_analysis.challenges import evaluate, load_labels
from rsnet_analysis.contract import MIN_CELL, AnalysisSettings
from rsnet_analysis.progress import progress_enabled
from rsnet_analysis.report import challenge_names, public_records

pd.set_option("display.max_colwidth", 100)
pd.set_option("display.max_rows", 100)

# %%
settings = AnalysisSettings.from_parameters(
    inputs=inputs, text_cols=text_cols, k=k, period=period, codebook=codebook, seed=seed
)
result = cached_analysis(settings, progress=progress_enabled())  # 2 回目からは保存した結果を読む
records = public_records(result.records)  # 元の本文を含まない表
kept = records[records["status"] == "kept"]
book = result.extras["codebook"]
names = challenge_names(result)
print(f"分析した回答: {len(kept)} 件、クラスタ: {len(result.clusters)} 個（k = {result.summary['k_chosen']}）")

# %% [markdown]
# ## 2. クラスタの一覧
#
# - `n` はその課題を挙げた回答者数（全期間）、`share` は回答者に占める割合、`statements` は情報交換会での発言数です。
#   どれも報告書と同じ集計表（`counts.csv`）の数で、5 人未満は `<5`、引き算で分からないように伏せた数は `x` です。
# - `kind` は `named`（コードブックの課題）・`new`（コードブックにない新しい課題）・`misc`（どの課題にも当てはまらない回答）。
# - `label` は自動で付けた名前、`top_terms` はそのクラスタに特徴的な語（c-TF-IDF の上位）です。

# %%
display(result.clusters[["question", "cluster", "kind", "name", "n", "share", "statements", "top_terms"]])

# %% [markdown]
# ## 3. 代表的な回答（個人情報はマスク済み）
#
# 各クラスタの中心に近い回答です。名前がクラスタの中身に合っているかを読んで確かめてください。
# 回答が 5 件未満のクラスタは、個人が特定されないよう表示しません。

# %%
shown = result.clusters[pd.to_numeric(result.clusters["n"], errors="coerce") >= MIN_CELL]
representatives = shown[["cluster", "name", "representative_record_ids"]].copy()
representatives["record_id"] = representatives["representative_record_ids"].str.split()
representatives = representatives.explode("record_id").drop(columns="representative_record_ids")
representatives["text_masked"] = representatives["record_id"].map(records.set_index("record_id")["text_masked"])
display(representatives.reset_index(drop=True))

# %% [markdown]
# ## 4. 安定性
#
# 乱数の種を変えたり回答の一部を抜いたりして何度もクラスタを作り直し、同じまとまりが再現される割合です（1 に近いほど安定）。
# 0.5 を下回るクラスタは、偶然のまとまりかもしれないので、解釈には注意してください。

# %%
stability = result.clusters[["cluster", "name", "n", "stability"]]
display(stability.sort_values(["stability", "cluster"], ascending=[False, True]).reset_index(drop=True))

# %% [markdown]
# ## 5. コードブックとの対応
#
# クラスタ（行）と、コードブックのルールで各回答に付けた課題（列）のクロス表です。
# 対角に集まっていれば、クラスタとコードブックが同じものを見ています。「（なし）」の列が大きいクラスタは、
# コードブックにまだない課題の候補です。

# %%
mapping = result.clusters[["question", "cluster", "label", "challenge"]].copy()
mapping["課題名"] = mapping["challenge"].map(names).fillna("（コードブックにない課題）")
display(mapping)

# %%
display(
    pd.crosstab(
        kept["cluster"].astype(str) + " " + kept["cluster_label"],
        kept["challenge"].replace("", "（なし）"),
    )
)

# %% [markdown]
# ## 6. 正解ラベルとの比較（評価）
#
# 人が付けた正解ラベルのうち `split` の分（既定は `test`: ルールの調整に使っていない分）で答え合わせをします。
# - クラスタ: V-measure / NMI / ARI（1 に近いほど正解の分け方に近い）
# - コードブック: 正解率・macro-F1・Cohen の κ、課題ごとの適合率（precision）と再現率（recall）

# %%
if labels:
    evaluation = evaluate(result.records, load_labels(labels), split=split, codebook_keys=list(book.keys))
    print(evaluation.format_text())
else:
    print("正解ラベルが指定されていないので評価は省略しました。")
