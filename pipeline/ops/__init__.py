"""Operations: notifications about new candidates and source health (Apprise), sent once each."""
