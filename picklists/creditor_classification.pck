;type=text
; Client Type (cl.ty) = the Metro 2 Creditor Classification reported in the K1 segment.
; The seed: "These choices should NOT be modified as they represent all the VALID Creditor
; Classification types".  Metro 2 defines codes 01-15 (there is no 16).
"01" Retail
"02" Medical/Health Care
"03" Oil Company
"04" Government
"05" Personal Services
"06" Insurance
"07" Educational
"08" Banking
"09" Rental/Leasing
"10" Utilities
"11" Cable/Cellular
"12" Financial
"13" Credit Union
"14" Automotive
"15" Check Guarantee
