;type=text
; Attachment class (at.cl): "Unlimited Attachment entries categorized by user defined Class".
; Sample classes; the blank entry lets you type your own.
"Contract"
"Correspondence"
"Statement"
"Invoice"
"Judgement"
"Dispute"
"Identification"
"Recording"
"Image"
"Other"
" "
