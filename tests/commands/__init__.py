"""Tests of hubcompat/commands/: the inspect, convert and check CLIs."""
