"""Safety at the edges: output folders, user names as file names, input files, resources.

Used by the writers and the command line so that synpharm never destroys a file it did not
write, never reads a file that is not a bounded regular file, and refuses runs that cannot fit
in memory before doing any work.
"""

from synpharm.safety._inputs import (
    MAX_NESTING,
    MAX_TEXT_BYTES,
    check_input_file,
    check_nesting,
    loads_toml,
    read_input_bytes,
)
from synpharm.safety._names import MAX_NAME_LENGTH, check_printable, inside, safe_file_name
from synpharm.safety._outputs import (
    MANIFEST,
    add_to_manifest,
    check_output_file,
    check_output_folder,
    clean_leftovers,
    folder_state,
    staged_folder,
)
from synpharm.safety._resources import (
    MAX_GRID_COMBINATIONS,
    MAX_STIMULI,
    Estimate,
    available_memory,
    check_estimate,
    check_grid_size,
    format_bytes,
    protocol_estimate,
    protocol_stimuli,
    study_estimate,
)
from synpharm.safety._spreadsheet import (
    spreadsheet_cell,
    spreadsheet_safe_frame,
    spreadsheet_writer,
)

__all__ = [
    "MANIFEST",
    "MAX_GRID_COMBINATIONS",
    "MAX_NAME_LENGTH",
    "MAX_NESTING",
    "MAX_STIMULI",
    "MAX_TEXT_BYTES",
    "Estimate",
    "add_to_manifest",
    "available_memory",
    "check_estimate",
    "check_grid_size",
    "check_input_file",
    "check_nesting",
    "check_output_file",
    "check_output_folder",
    "check_printable",
    "clean_leftovers",
    "folder_state",
    "format_bytes",
    "inside",
    "loads_toml",
    "protocol_estimate",
    "protocol_stimuli",
    "read_input_bytes",
    "safe_file_name",
    "spreadsheet_cell",
    "spreadsheet_safe_frame",
    "spreadsheet_writer",
    "staged_folder",
    "study_estimate",
]
