;type=text
; Legal entity of a debtor (de.le): "Select a Legal Entity if you want to track commercial accounts
; or report commercial accounts to the credit bureaus."  Blank means an individual consumer.
"I" Individual
"S" Sole Proprietorship
"P" Partnership
"C" Corporation
"L" Limited Liability Company
"N" Non-Profit Organization
"G" Government
"E" Estate
"T" Trust
"O" Other
