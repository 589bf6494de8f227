"""Ways in: the CLI, the web app and the extraction API."""
