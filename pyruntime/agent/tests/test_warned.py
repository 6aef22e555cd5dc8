"""A request's warnings: recorded for the editor, shown as the code set
up, and the filters the code sets last after it, as in a fresh run."""

import logging
import warnings

import pytest

from _hotload_agent.warned import Warned


@pytest.fixture(autouse=True)
def restored():
    """Each test starts and ends with the process's filters and showwarning."""
    with warnings.catch_warnings():
        yield


def warn_here(text="careful"):
    warnings.warn(text, UserWarning)


def test_a_filter_the_code_sets_lasts_after_the_run():
    with Warned():
        warnings.filterwarnings("ignore", message="old api")
    with Warned() as second:
        warn_here("old api is going away")
        warn_here("other")
    assert [w["message"] for w in second.warned] == ["other"]


def test_each_run_records_its_warnings_even_those_shown_once_before():
    warnings.simplefilter("default")  # Python's own: once per location
    runs = []
    for _ in range(2):
        with Warned() as run:
            warn_here()
        runs.append([w["message"] for w in run.warned])
    assert runs == [["careful"], ["careful"]]


def test_a_warning_is_shown_by_the_showwarning_in_place_before(capsys):
    shown = []
    warnings.showwarning = lambda message, *rest: shown.append(str(message))
    with Warned() as run:
        warn_here()
    assert shown == ["careful"] and [w["message"] for w in run.warned] == ["careful"]


def test_a_showwarning_the_code_installs_stays():
    with Warned():
        logging.captureWarnings(True)
    try:
        assert warnings.showwarning is not None and warnings.showwarning.__module__ == "logging"
        with Warned() as run:
            warn_here()
        assert [w["message"] for w in run.warned] == ["careful"]
    finally:
        logging.captureWarnings(False)


def test_the_filters_of_a_rolled_back_run_are_undone():
    before = list(warnings.filters)
    with Warned() as run:
        warnings.simplefilter("error")
    run.undo_filters()
    assert warnings.filters == before
    with Warned() as after:
        warn_here()
    assert [w["message"] for w in after.warned] == ["careful"]
