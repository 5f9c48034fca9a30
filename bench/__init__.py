"""`make bench`: each figure of quality.md measured against a floor in the same run."""
