;type=text
; Commission rate plan types (rp.ki): models.RatePlanKind, named as the seed's
; "Commission Rate Plan Sample - ..." sections.
"age_charged" Age - Charged
"age_delinquent" Age - Delinquent
"list_amount" List Amount
"payment_amount" Payment Amount
"paid_to_date" Paid To Date
"remaining_balance" Remaining Balance
"days_from_listing" Payment Days From Listing
"days_from_charged" Payment Days From Charged
"days_from_delinquent" Payment Days From Delinquent
