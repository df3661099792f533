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
period = "year"  # 波（比較の単位）: "year"=年 / "fiscal"=年度（4月〜翌3月） / "half" / "quarter" / "file"
segment_col = "自治体区分"  # ヒートマップに描く属性の列

# %% [markdown]
# ## 1. 準備と分析の実行

# %%
# %matplotlib inline
import pandas as pd
from IPython.display import display

from rsnet_analysis.cache import cached_analysis
from rsnet_analysis.contract import AnalysisSettings
from rsnet_analysis.progress import progress_enabled
from rsnet_analysis.report import challenge_names, segment_heatmap_figure, trends_figure

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.max_rows", 200)

# %%
settings = AnalysisSettings.from_parameters(inputs=inputs, text_cols=text_cols, k=k, period=period, seed=seed)
result = cached_analysis(settings, progress=progress_enabled())  # 2 回目からは保存した結果を読む
names = challenge_names(result)
print("波:", " / ".join(result.records.loc[result.records["status"] == "kept", "wave"].drop_duplicates().sort_values()))

# %% [markdown]
# ## 2. 波ごとの推移（95% 信頼区間つき）
#
# - `statement` が `challenge` の行は課題を挙げた回答者、`practice` の行は取り組み・成果を書いた回答者の数です。
# - `n` は回答者数、`share` は割合、`ci_low`〜`ci_high` は Wilson の 95% 信頼区間です。5 人未満は `<5`、
#   引き算で分からないように伏せた数は `x` です。
# - `change` は前の波からの割合の差、`p_adj` は多重比較を補正した p 値。`direction` は報告書に書く言葉で、
#   補正後の p 値が 0.05 未満のときだけ `増`・`減`（前回 5 人未満からなら `新規`）、それ以外は `横ばい` です。

# %%
first_question = result.trends["question"].iloc[0]
trends = result.trends[(result.trends["question"] == first_question) & (result.trends["statement"] == "challenge")]
display(trends[["wave", "name", "kind", "n", "base", "share", "ci_low", "ci_high", "change", "p_adj", "direction"]].reset_index(drop=True))

# %%
display(trends_figure(trends, names=names))

# %% [markdown]
# ## 3. 属性による違い（調整済み残差のヒートマップ）
#
# 赤いセルはその区分で期待より多く挙がっている課題、青いセルは少ない課題です。
# 残差の絶対値が 1.96 以上なら、おおよそ 5% 水準で偏りがあると言えます。灰色の `<5` は人数が少なく表示しないセルです。

# %%
display(segment_heatmap_figure(result.segments, segment_col, names=names))

# %%
segments = result.segments[result.segments["segment_col"] == segment_col]
display(segments[["question", "segment", "name", "n", "base", "share", "residual", "p_adj"]].reset_index(drop=True))

# %% [markdown]
# ## 4. 増えている課題・減っている課題
#
# 最新の波で、前の波から統計的に意味のある差で増えた（`増`）・減った（`減`）課題と、前の波で 5 人未満から
# 増えた**新しい課題**（`新規`）です。差がない課題はここに出ません。代表的な回答は 02 のノートブックで読めます。

# %%
display(result.emerging[["question", "wave", "name", "kind", "direction", "n", "n_previous", "share", "change", "p_adj", "test"]])

# %% [markdown]
# ## 5. 分科会の案
#
# 同じ課題を挙げた自治体のグループ（`challenge`）、地域ごとのグループ（`region`）、そして課題を挙げた自治体と
# 同じ課題で取り組みを報告した自治体（`reporters`）の組み合わせ（`pairing`）です。1 グループは 10 自治体までです。

# %%
display(result.subgroups)
