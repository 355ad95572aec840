"""Keys of the ``CodemodContext.scratch`` dict the runner and the codemods share."""

#: list of report events (dicts: codemod, kind, line, message) the codemods append to.
EVENTS_KEY = "hubcompat.events"
#: The runner's whole-file answer to ``is_graph_code()`` (bool).
GRAPH_KEY = "hubcompat.graph_code"
#: The file's text as the runner sees it (for ``needed()`` and text-based lines).
TEXT_KEY = "hubcompat.text"
#: The file's ``_names.FileNames`` (or a callable making it), shared by the codemods of one run.
NAMES_KEY = "hubcompat.names"
#: The runner's ``prune.Pruner`` when the codemod sees part of the file: maps its lines
#: (``original_line``) and gives the lines of original calls (``call_line``).
LINES_KEY = "hubcompat.lines"
