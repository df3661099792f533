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
# # 04 メールマガジン用のまとめ
#
# 分析結果からレポート（HTML・Markdown・Excel・図）とメールマガジンの下書き（`newsletter.txt`）を作ります。
# 下書きは、課題ごとに挙げた人数・代表的な声（個人情報はマスク済み）・前回からの変化をまとめたものです。
# **そのまま配信せず、必ず人が読んで手直ししてください。**
#
# **来年このノートブックを動かす人へ**
#
# - 書き換えるのは「パラメータ」のセルだけです。出力先は `out_dir`（このフォルダからの相対パス）です。
# - 文面の言い回しはテンプレート（`rsnet_analysis/report/templates/newsletter.txt.j2`）で変えられます。コードを触る必要はありません。

# %% tags=["parameters"]
inputs: list[str] = []  # 空なら同梱のサンプルデータ（../data/sample）
text_cols: list[str] = []  # 自由記述の列名（設問ごとに 1 つ。見出しが違うときは "名前=見出し1|見出し2"）。空なら自動
seed = 0  # 乱数の種（同じ値なら毎回同じ結果）
k = "auto"  # クラスタの数。"auto" で自動
period = "year"  # 波（比較の単位）: "year"=年 / "fiscal"=年度（4月〜翌3月） / "half" / "quarter" / "file"
out_dir = "../out/notebooks"  # レポートを書き出すフォルダ

# %% [markdown]
# ## 1. 準備と分析の実行

# %%
from pathlib import Path

from rsnet_analysis.cache import cached_analysis
from rsnet_analysis.contract import AnalysisSettings
from rsnet_analysis.pipeline import write_outputs
from rsnet_analysis.progress import progress_enabled

# %%
settings = AnalysisSettings.from_parameters(inputs=inputs, text_cols=text_cols, k=k, period=period, seed=seed)
result = cached_analysis(settings, progress=progress_enabled())  # 2 回目からは保存した結果を読む
print(f"分析した回答: {result.summary['kept']} 件（読み込んだ行: {result.summary['rows_read']} 行）")

# %% [markdown]
# ## 2. 結果とレポートを書き出す
#
# 表（CSV）と `summary.json`、レポート一式を `out_dir` に書きます。同じデータからは毎回まったく同じファイルができます。

# %%
written = write_outputs(result, out_dir, reports=True)
for path in written:
    print(Path(path).relative_to(out_dir).as_posix())

# %% [markdown]
# ## 3. メールマガジンの下書き

# %%
print((Path(out_dir) / "newsletter.txt").read_text(encoding="utf-8"))

# %% [markdown]
# ## 4. 使ったソフトウェアの版（記録用）
#
# 結果を再現するための記録です。このセルの出力は環境によって変わるので、テストでは比較しません。

# %%
# NBVAL_IGNORE_OUTPUT
for name, version in result.summary["versions"].items():
    print(f"{name}: {version}")
