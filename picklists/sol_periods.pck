;type=text
; Statute of limitations period (sl.pe, sl.ju).  Seed: "The options are Days, Weeks, Months, or Years."
"days" Days
"weeks" Weeks
"months" Months
"years" Years
