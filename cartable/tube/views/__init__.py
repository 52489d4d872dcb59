"""Tube's web adapters: the watch page and the files of a video's renditions."""
