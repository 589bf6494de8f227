"""Ways in: the CLI, the web app and the extraction API."""

import pipeline  # noqa: F401  (first: sets the native thread defaults before numpy loads)
