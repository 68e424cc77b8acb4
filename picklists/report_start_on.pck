;type=text
; The form a report or letter starts on (rd.so): the report loops over these records.
; Keys are the model names.
"Debtor" Debtor
"Client" Client
"Transaction" Transaction
"Contact" Contact
"Cosigner" Cosigner
"Note" Notes
"Attachment" Attachment
"Operator" Operator
"Invoice" Invoice
"CompanyDetails" Company Details
