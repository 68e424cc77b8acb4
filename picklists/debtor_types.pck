;type=text
; Account type (de.ty): "Type is optional and used for your own tracking purposes."
; Sample types; the blank entry lets you type your own.
"RET" Retail
"COM" Commercial
"MED" Medical
"UTL" Utility
"CC" Credit Card
"LOAN" Loan
"RENT" Rental/Leasing
"CHK" Returned Check
"OTH" Other
" "
