"""Device drivers: click-to-dial and the predictive dialer links.

Plain sockets and HTTP, no Qt (STYLE.md point 1); the GUI talks to them through
a thin adapter that turns their callbacks into queued signals.

- :mod:`.dialing` — choose the dial method per operator, ``describe`` it, send it;
  with :mod:`.dial_settings` (number clean-up), :mod:`.udp_dialer`,
  :mod:`.url_dialer` (``.dialstring`` files) and :mod:`.dial_errors`.
- :mod:`.call_results` — record a call result (Phone contact + note line).
- :mod:`.account_lookup` — find accounts by file, phone, SSN, email, account.
- :mod:`.dialer_link` — the ``collect``/``dialer`` DDE conversation over a local socket (/z).
- :mod:`.web_dialer` — ``GET /dialer?phone=…`` listener (/W2, /W2b, /S, /W2ss).
- :mod:`.predictive_dialer` — both connections and the Ready / Busy state they share;
  the waiting screen (``collectdesk.ui.dialer_page``) drives it.
"""
