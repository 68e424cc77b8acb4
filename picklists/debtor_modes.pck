;type=text
; Account mode (de.mo): models.DebtorMode.  Import fill values use the key (A), not the text.
"A" Active
"C" Closed
"X" Archived
