;type=numeric
; Call results on the Contact form (co.cr).  Exactly the seed's "Default Call Results On Contact
; Form" (setup manual, Contact Controls).  Contact controls name these numbers in their
; Call Attempt Types and Call RPC Types, so keep the keys when you change the texts.
"0" None specified
"1" Left Message on Machine
"2" Left message with person
"3" Debtor not in - call back. No message.
"4" Spoke to debtor. Verified right party.
"5" Wrong number / debtor unknown.
"6" NIS
"101" Manual dial: right party contact
"102" Manual dial: pick up, hung up
"103" Manual dial: debtor in, unavailable
"104" Manual dial: debtor not in, call back
"105" Manual dial: machine answer, left msg
"106" Manual dial: machine answer, no message
"107" Manual dial: left message with person
"108" Manual dial: no answer
"109" Manual dial: busy
"110" Manual dial: call did not go through
"111" Manual dial: wrong number/debtor unknown
"112" Manual dial: not in service
"113" Dialer: transfer to operator
"114" Dialer: unknown call result
"115" Dialer: transfer-operator, wrong number
"116" Dialer: answered, hung up
"117" Dialer: answered, system terminated
"118" Dialer: answered, voice mail
"119" Dialer: no answer
"120" Dialer: busy, no machine
"121" Dialer: machine, delivered
"122" Dialer: machine, not delivered
"123" Dialer: fax machine detected
"124" Dialer: cancelled, incomplete number
"125" Dialer: cancelled, compliance reasons
"126" Dialer: cancelled, do not call
"127" Dialer: call failed, technical reasons
"128" Dialer: cancelled broadcast or blank num
