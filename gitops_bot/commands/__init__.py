"""The commands of the `gitops-bot` CLI, one module each. Every module has `add_parser(sub)`,
which declares its arguments, and `run(args) -> exit code`. Heavy modules (GitPython, PyGithub,
ruamel, hcl2) are imported inside `run`, so `--help` stays fast."""
