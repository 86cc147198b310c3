"""Bad input gets a clear, actionable error."""

import os
import subprocess
import sys

import pytest

from adapters.base import Adapter, AdapterUnavailable
from conformance import registry


class NotInstalledAdapter(Adapter):
    name = "ghost"
    framework = "Ghost"
    module = "ghost_framework_that_is_not_installed"
    extra = "ghost"


def test_unknown_adapter_lists_available(pytester):
    result = pytester.runpytest_inprocess("--adapter=nosuch")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown adapter 'nosuch'; available: *bottle*flask*reference*"])


def test_missing_framework_names_the_extra():
    with pytest.raises(AdapterUnavailable, match=r"pip install 'wsgi-conformance\[ghost\]'"):
        registry.load(f"{__name__}:NotInstalledAdapter")


def test_missing_framework_is_a_usage_error(pytester):
    result = pytester.runpytest_inprocess(f"--adapter={__name__}:NotInstalledAdapter")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.re_match_lines([r".*needs Ghost, which is not installed: pip install 'wsgi-conformance\[ghost\]'"])


def test_class_path_that_is_not_an_adapter():
    with pytest.raises(registry.UnknownAdapter, match="not a subclass"):
        registry.load("conformance.model:Rule")


def test_unknown_requirement_id_fails_loudly():
    from conformance.harness import requirement
    from conformance.spec import UnknownRequirement

    with pytest.raises(UnknownRequirement, match="ROUTE-999"):
        requirement("ROUTE-999")


def test_a_reader_that_goes_away_gets_no_traceback():
    """``wsgi-conformance adapters --json | head``: the pipe closes before the command writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    try:
        done = subprocess.run([sys.executable, "-m", "conformance", "adapters", "--json"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 141
