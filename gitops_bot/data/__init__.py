"""Data shipped with gitops-bot: the tool catalogue and support windows (YAML files)."""
