;type=text
; Client billing period (cs.bp): how often statements and invoices are produced.
"monthly" Monthly
"weekly" Weekly
"biweekly" Biweekly
"daily" Daily
