"""The built-in recipes (YAML files in this folder); installed as the gitops_bot.recipes package."""
