// Integration tests start real servers and service processes: give them minutes, not seconds.
jest.setTimeout(240_000);
