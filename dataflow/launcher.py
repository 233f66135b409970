"""Flex-template entry point (FLEX_TEMPLATE_PYTHON_PY_FILE): submits a reasonry build to Dataflow."""

import sys

from reasonry.pipelines.dataflow import main

if __name__ == "__main__":
    sys.exit(main())
