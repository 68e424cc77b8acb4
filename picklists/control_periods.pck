;type=text
; Contact control period (cc.pe): the maximum number of contacts applies per this period.
"day" Day
"week" Week
"month" Month
