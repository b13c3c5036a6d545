"""gitops-bot: repo-wide refactorings of GitOps monorepos with byte-minimal diffs."""

__version__ = "0.1.0"
