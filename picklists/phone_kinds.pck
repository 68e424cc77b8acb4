;type=text
; Kind of a phone sub-record (ph.ki).
"home" Home
"work" Work
"cell" Cell
"fax" Fax
"other" Other
