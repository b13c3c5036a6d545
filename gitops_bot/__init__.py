"""gitops-bot: repo-wide refactorings of GitOps monorepos with byte-minimal diffs."""

__version__ = "0.1.0"

# The schema version every JSON output carries as `format_version` (plan, apply, check, recipes,
# components): raised when a field changes meaning or goes, not when one is added.
FORMAT_VERSION = 1
