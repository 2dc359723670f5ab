# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package cmd holds the programs installed as console scripts (py.bench;
gpython is the top-level package gpython, golang.cmd.gpython starts it)."""
