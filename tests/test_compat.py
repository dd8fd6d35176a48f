from pathlib import Path

from sweepbridge import compat
from sweepbridge.compat_row import BETA_STATUSES, FIDELITIES
from sweepbridge.hyperopt import hp
from sweepbridge.tune_beta import HP_OPS

DOCS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "translation.md"


def test_docs_table_is_generated_from_the_rows():
    text = DOCS_PAGE.read_text(encoding="utf-8")
    assert compat.readme_with_table(text) == text, "docs drifted: run python -m sweepbridge.compat docs/translation.md"


def test_every_hp_operator_has_a_row_and_a_mirror():
    keys = {r.key for r in compat.compat_table()}
    for op in HP_OPS:
        assert f"hyperopt.{op}" in keys
        assert callable(getattr(hp, op))


def test_beta_statuses_match_the_2020_table():
    # The French 2020 table: supported = choice, uniform, loguniform; everything else planned.
    supported = {"choice", "uniform", "loguniform"}
    for op in HP_OPS:
        assert compat.row(f"hyperopt.{op}").beta == ("supported" if op in supported else "planned")


def test_rows_are_valid():
    for r in compat.compat_table():
        assert r.fidelity in FIDELITIES and r.beta in BETA_STATUSES
        if r.fidelity == "unsupported":
            assert r.suggestion, f"{r.key} refuses without saying what to do instead"


# W&B's 2020 beta (French docs): "Algorithmes de recherche" and "Schedulers Tune" tables.
BETA_SEARCH = {
    "tune.search.hyperopt": "supported",  # Pris en charge
    "tune.search.basic_variant": "partial",  # Recherche grille et recherche aléatoire: Partielle
    "tune.search.bayesopt": "planned",  # Planifiée
    "tune.search.nevergrad": "planned",
    "tune.search.skopt": "planned",
    "tune.search.ax": "planned",
    "tune.search.bohb": "planned",
}
BETA_SCHEDULERS = {
    "tune.scheduler.pbt": "under study",  # En cours d'étude
    "tune.scheduler.asha": "not stated",  # blank cell
    "tune.scheduler.hyperband": "not stated",  # blank cell
    "tune.scheduler.bohb": "under study",
    "tune.scheduler.median": "under study",
}


def test_every_row_of_the_2020_search_and_scheduler_tables_is_covered():
    for key, status in {**BETA_SEARCH, **BETA_SCHEDULERS}.items():
        assert compat.row(key).beta == status, key


def test_every_2020_searcher_and_scheduler_row_runs_today_under_some_engine():
    best = {source.key: now for source, now in compat.beta_rows()}
    for key in {**BETA_SEARCH, **BETA_SCHEDULERS}:
        assert best[key].fidelity in ("exact", "equivalent"), (key, best[key].key)
        # the row that runs it names the same feature under its engine (tune.search.ax → ax.search.ax)
        assert best[key].key.partition(".")[2] == key.partition(".")[2]
    assert best["tune.search.nevergrad"].key == "optuna.search.nevergrad"
    assert best["tune.scheduler.pbt"].key == "optuna.scheduler.pbt"
    assert best["tune.search.ax"].key == "ax.search.ax"


def test_the_2020_table_reaches_the_cli_and_the_docs():
    text = compat.text_table()
    assert "W&B's 2020 beta table, row by row" in text and "optuna.search.skopt" in text
    docs = (Path(__file__).resolve().parent.parent / "docs" / "translation.md").read_text(encoding="utf-8")
    assert compat.beta_markdown() in docs  # regenerated: python -m sweepbridge.compat docs/translation.md
