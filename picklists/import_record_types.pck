;type=text
; The record an Import Record Definition imports (ir.re).  Owners are imported before what they
; own: Client, then Debtor, then its sub-records.  Keys are the model names.
"Client" Client
"Debtor" Debtor
"Cosigner" Debtor Cosigner
"Transaction" Transaction
"Contact" Contact
"Note" Notes
"Attachment" Attachment
"Phone" Phone
"Email" Email
"Address" Address
