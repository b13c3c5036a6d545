"""Delivery: git (a worktree at the base, commit, push with lease), GitHub (pull requests, comments, permissions, release lookups), the PR body and the comment-command grammar."""
