;type=text
; Cosigner class (dc.cls): models.CosignerClass.
"cosigner" Cosigner
"employer" Employer
"ach" ACH Payer
"cc" Credit Card Payer
"other" Other
