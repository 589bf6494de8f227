"""docintel core: data model, stage protocol, settings, backends and the runner."""
