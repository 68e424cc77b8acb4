;type=text
; Metro 2 Account Status (base segment field 17A) on Credit Report Details (cbr.as).
"11" Current account (0-29 days past the due date)
"13" Paid or closed account/zero balance
"61" Paid in full, was a voluntary surrender
"62" Paid in full, was a collection account
"63" Paid in full, was a repossession
"64" Paid in full, was a charge-off
"65" Paid in full, a foreclosure was started
"71" 30-59 days past the due date
"78" 60-89 days past the due date
"80" 90-119 days past the due date
"82" 120-149 days past the due date
"83" 150-179 days past the due date
"84" 180 days or more past the due date
"88" Claim filed with government for insured portion of balance on a defaulted loan
"89" Deed received in lieu of foreclosure on a defaulted mortgage; there may be a balance due
"93" Account assigned to internal or external collections
"94" Foreclosure completed; there may be a balance due
"95" Voluntary surrender; there may be a balance due
"96" Merchandise was repossessed; there may be a balance due
"97" Unpaid balance reported as a loss (charge-off)
"DA" Delete entire account (for reasons other than fraud)
"DF" Delete entire account due to confirmed fraud
