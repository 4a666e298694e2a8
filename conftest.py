"""pytest hooks: each notebook (nbval) and each chapter's grading stays on one xdist worker."""

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.path.parent.name}"))
