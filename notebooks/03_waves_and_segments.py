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
# # 03 年度ごとの変化と属性による違い
#
# 課題ごとの回答者の割合を波（年度など）ごとに比べ、自治体区分・地域・役割などの属性で違いを見ます。
# 増えている新しい課題（emerging）と、同じ課題を持つ自治体の分科会の案も出します。
#
# **来年このノートブックを動かす人へ**
#
# - 書き換えるのは「パラメータ」のセルだけです。去年と今年のファイルを両方 `inputs` に入れると、2 つの波を比べます。
# - 回答者が 5 人未満のセルは `<5` と表示し、数字を出しません（小さな部署の人が特定されないため）。

# %% tags=["parameters"]
inputs: list[str] = []  # 空なら同梱のサンプルデータ（../data/sample）
text_cols: list[str] = []  # 自由記述の列名（設問ごとに 1 つ。見出しが違うときは "名前=見出し1|見出し2"）。空なら自動
seed = 0  # 乱数の種（同じ値なら毎回同じ結果）
k = "auto"  # クラスタの数。"auto" で自動
period = "year"  # 波（比較の単位）: "year" / "half" / "quarter" / "file"
segment_col = "自治体区分"  # ヒートマップに描く属性の列

# %% [markdown]
# ## 1. 準備と分析の実行

# %%
# %matplotlib inline
import pandas as pd
from IPython.display import display

from rsnet_analysis.contract import AnalysisSettings
from rsnet_analysis.pipeline import run_analysis
from rsnet_analysis.progress import progress_enabled
from rsnet_analysis.report import challenge_names, segment_heatmap_figure, trends_figure

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.max_rows", 200)

# %%
settings = AnalysisSettings(inputs=tuple(inputs), text_cols=tuple(text_cols), k=k, period=period, seed=seed)
result = run_analysis(settings, progress=progress_enabled())
names = challenge_names(result)
print("波:", " / ".join(result.records.loc[result.records["status"] == "kept", "wave"].drop_duplicates().sort_values()))

# %% [markdown]
# ## 2. 波ごとの推移（95% 信頼区間つき）
#
# - `n` は課題を挙げた回答者数、`share` は割合、`ci_low`〜`ci_high` は Wilson の 95% 信頼区間です。
# - `change` は前の波からの割合の差、`p_adj` は多重比較を補正した p 値（0.05 未満なら偶然とは言いにくい変化）です。
# - `cluster:番号` はコードブックにない（名前のない）課題です。

# %%
trends = result.trends.copy()
trends.insert(2, "課題名", trends["challenge"].map(names))
display(trends)

# %%
display(trends_figure(result.trends, names=names))

# %% [markdown]
# ## 3. 属性による違い（調整済み残差のヒートマップ）
#
# 赤いセルはその区分で期待より多く挙がっている課題、青いセルは少ない課題です。
# 残差の絶対値が 1.96 以上なら、おおよそ 5% 水準で偏りがあると言えます。灰色の `<5` は人数が少なく表示しないセルです。

# %%
display(segment_heatmap_figure(result.segments, segment_col, names=names))

# %%
segments = result.segments[result.segments["segment_col"] == segment_col]
display(segments[["segment", "challenge", "n", "segment_n", "share", "residual", "p_adj"]].reset_index(drop=True))

# %% [markdown]
# ## 4. 増えている課題・減っている課題
#
# 最新の波と前の波で、課題（クラスタ）の割合を比べます。`direction` が `emerging` なら増えている、`fading` なら減っている課題です。
# 前の波で `<5`（ほとんどなかった）のに最新の波で現れたクラスタは、**まだ名前のない新しい課題**の候補です。代表的な回答を 02 のノートブックで読んでみてください。

# %%
emerging_columns = ["cluster", "label", "top_terms", "challenge", "n_latest", "n_previous", "direction"]
display(result.emerging[emerging_columns])

# %% [markdown]
# ## 5. 分科会の案
#
# 同じ課題を挙げた自治体をまとめたグループです（`shared_challenges` が共通の課題）。
# 情報交換会のグループ分けや、地域ごとの会合の参考にしてください。

# %%
display(result.subgroups)
