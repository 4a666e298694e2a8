"""pytest hooks: each notebook (nbval) and each chapter's grading stays on one xdist worker;
every test of the hub's files is marked `hub`, which `make test-fast` leaves out."""

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups, and before -m selects
def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.path.parent.name}"))
        if item.path.name.startswith("test_hub"):
            item.add_marker(pytest.mark.hub)
