/* test_cloudapi_keys.h: key fixtures of the cloudapi unit tests: private
 * keys (PKCS#8 PEM, made with openssl genpkey) that sign, the OpenSSH public
 * line of each and the fingerprints ssh-keygen -l gives for it. */
#ifndef TEST_CLOUDAPI_KEYS_H
#define TEST_CLOUDAPI_KEYS_H

struct test_key {
	const char *type;
	const char *private_pem;
	const char *public_line;
	const char *md5;
	const char *sha256;
	int bits;
};

static const struct test_key TEST_KEYS[] = {
    {"ssh-rsa",
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDcx1XO0LSIC+RR\n"
	"QqRC+h49mvIKsF+nt9lgHwZqbfS2/gJM6mev0j/lYABfgqTUNhH0rg2HNeNLgs8x\n"
	"Fd8/Y1ZnBRCu+q6mAXGfM06rSxhYAvzRUBrNahrtUFV3baolInDXt3bms8q4IgFl\n"
	"wZsdeVqIq8Qh7Eu2VTbHqy5wk7m2Huy88SnVV+RjcR5PqEMIEVjuF+b1UcWwwoF0\n"
	"5ZTkcJROYBE8rtKiO0APvMAkSswM00Rf8gPWC2Xdykju/wgBoY9eMK3PcvR15AGA\n"
	"ur99tidDvMEcYwwrUQCRkiW/nMjyJKK5w51ujclYxV7L69JdJ1b93bthKprPYvqj\n"
	"1pZ1T+b1AgMBAAECggEAHHocrA64/oRUKJQZNmdnH6ic+Dp8OBirce3GiNNSeYkF\n"
	"eHDSu3e51Kb/nVIvWwz3X3FU3uAZR4vhmDH7SASS6DpbxsogXVq50mBOkSMgSnfm\n"
	"LsRvlJfPTdVrFLrBM8V/ux9Xt5Wwu/Ps7LheftyAjDjllT+Sm3vd0z7WAGDZly8k\n"
	"DGk+U4e7JK3EWr0rEEQu5uVG4WS4ixJ4DuLGpB3BFz8cvhHjl1RmXTFGBcUc1BJW\n"
	"CkOp3ItgIM78NEqg6JD6dhdfG8OlGQpWreQiiOvE1u5RfUlBHptEIEe3uoBJfoqL\n"
	"a8Llz3Lu2raTaclwVY3oZZgA9UIatEYxkp+jQ/7CgQKBgQD63wrd7GOw0G1IZosS\n"
	"V18LQP4d/Iyyo9s8zI8hFsFrEGWf5YD83alMhvSKrcMAiUF1T3cNRHK1kXEt8xAh\n"
	"akzXh4D3RMsOoA5hg4RVyLm3G4Q5G+4cRTdhdnmt7pfcjuxmMGQuW9itYFjtSUjq\n"
	"Xd55EJhZ35DOz6E9gujmNFGSgQKBgQDhSszjcaHkK/u1+cjoW73nnbIfFGqOjFD2\n"
	"td1YUPRNHw1NdK/gzME0NgTLIFKFpneWP4c7ZgCxzo8lrmNShKYk2iLiq09IZa+3\n"
	"tbeXq00TuzFhB8knHHTFGoKAF7O9N7FImmnEJWScuhP+mdx6/Uk/Nv5NYczq8hQ4\n"
	"837rdorydQKBgE6x1KjU1FjMqNtDP3Dbc3cGRjCF3mTTPZyO1n8cskOxew9zYMjx\n"
	"h3/3/ZHa/AaZB62S5deFly4Zl5VAX9j7jWs2mF/4dnH6B0jThpmaQ5eKzClV95Vq\n"
	"qPqrvXOwGncXZlSP7X0VVpzcUkjs6jCKjZUQfZoDpVsaiovPGtvLoaMBAoGAUhgY\n"
	"qvR4QpXIZho8HHd5rtGm225sGb+FrTC+FHWDYCrlhQj1IdxatrTMcFw51dvADe7e\n"
	"T0WvERusy9VM+f++LwWR2rkD7eSn8DB2Uv0n2/3FU48rvGXBIyWy0gxRAa0um78w\n"
	"tTnO/NFNgeP9FJABRdi7N+Vgb2iA9/O6lwCeRxUCgYEA+PWFABEq6ZMQMVaxCbhR\n"
	"Fl5fYPoOUn8aVrugkUCEzWwzuDupNe/FvIrXblOMR5TItnLAaGzSGSlSsQWYjaEI\n"
	"XS15CBV2dGA9Tkhk4sT4FGkDh0JtpDJTM6xBuVQo87gInsr/BHn6qWhd55cxcv0u\n"
	"GR3hko1/5PEhRW3o1MZtOWA=\n"
	"-----END PRIVATE KEY-----\n",
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDcx1XO0LSIC+RRQqRC+h49mvIKsF+nt9lgHwZqbfS2/gJM6mev0j/lYABfgqTUNhH0rg2HNeNLgs8xFd8/Y1ZnBRCu+q6mAXGfM06rSxhYAvzRUBrNahrtUFV3baolInDXt3bms8q4IgFlwZsdeVqIq8Qh7Eu2VTbHqy5wk7m2Huy88SnVV+RjcR5PqEMIEVjuF+b1UcWwwoF05ZTkcJROYBE8rtKiO0APvMAkSswM00Rf8gPWC2Xdykju/wgBoY9eMK3PcvR15AGAur99tidDvMEcYwwrUQCRkiW/nMjyJKK5w51ujclYxV7L69JdJ1b93bthKprPYvqj1pZ1T+b1 test@rsa",
	"31:de:a1:44:62:dd:b2:02:c2:72:87:43:eb:71:2c:69",
	"SHA256:c0dKN6B33xKNigCZWpNiPlnU8bTF6y7DolY03yToc4o", 2048},
    {"ecdsa-sha2-nistp256",
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgawOBDru4OEQwNZdx\n"
	"IajdnRpBzFVs4fF7Dt7Ahxw3K0mhRANCAATXX6KYKvX/33fA4eYWTBgk9vtreJDx\n"
	"qMuQObmcEl+nYPrdOmg5HSc1alQzp5CALYAyFvwmQWgbo66kceAZhLh/\n"
	"-----END PRIVATE KEY-----\n",
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNdfopgq9f/fd8Dh5hZMGCT2+2t4kPGoy5A5uZwSX6dg+t06aDkdJzVqVDOnkIAtgDIW/CZBaBujrqRx4BmEuH8= test@p256",
	"67:ec:a8:9e:1d:2d:36:8b:c6:47:58:3a:9c:a4:c3:f6",
	"SHA256:pWwSSCoq2d4ug4SPj+FendK5jI3B5Y0huW6S7iZU+ME", 256},
    {"ecdsa-sha2-nistp384",
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBShY4QlRjn8H6bIzq8\n"
	"aBM7i9GGXzLJkFbiFg8z+mmsnFyLR39RRY7/epeWe86aR+qhZANiAAQll0IIXKEa\n"
	"QQKB3zofAyx/0RA4WKs2dISa/Zanu/U4OxIqMvbFjRh292tOoAG9FY9BgByqfJtJ\n"
	"kwsVq+tY99gekCvrm8YUtMP4lQREvFnMBCv8X0N0bGK/3KkMhZMabGc=\n"
	"-----END PRIVATE KEY-----\n",
	"ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBCWXQghcoRpBAoHfOh8DLH/REDhYqzZ0hJr9lqe79Tg7Eioy9sWNGHb3a06gAb0Vj0GAHKp8m0mTCxWr61j32B6QK+ubxhS0w/iVBES8WcwEK/xfQ3RsYr/cqQyFkxpsZw== test@p384",
	"2e:a3:e4:ca:ed:c7:68:da:a9:81:66:2e:96:8f:56:a7",
	"SHA256:T7qo3vMUUL1ZczPcVzIt47gi+uTiGUzMs8CvSh0yFBY", 384},
    {"ecdsa-sha2-nistp521",
	"-----BEGIN PRIVATE KEY-----\n"
	"MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIBF3kO85Jlf2ILJboK\n"
	"VOQagSrlcxtFVXBv4IfO8q7iXxyCESyoCnjru+AjL0R0S1KieuDCz8HP0+YCkhN5\n"
	"ckQ78WqhgYkDgYYABACnvUljpPAX9nWK9SMGjdK3BKJi9q/VKPHG/6TTyk/caN6X\n"
	"vmO2bWDuuOlAduEsJhO5OgDZkKF+1wNBx6nKOVYTKgDbnEVrgaJZSBSv5zWSaU23\n"
	"lqFONNrh5dUwHbkYFFZ18BHqVGKrK0TYTVoelaKkZ1MVEdplSnygh5ZLvZ9HeKwS\n"
	"Ng==\n"
	"-----END PRIVATE KEY-----\n",
	"ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBACnvUljpPAX9nWK9SMGjdK3BKJi9q/VKPHG/6TTyk/caN6XvmO2bWDuuOlAduEsJhO5OgDZkKF+1wNBx6nKOVYTKgDbnEVrgaJZSBSv5zWSaU23lqFONNrh5dUwHbkYFFZ18BHqVGKrK0TYTVoelaKkZ1MVEdplSnygh5ZLvZ9HeKwSNg== test@p521",
	"3a:f6:73:b5:2a:c9:a5:d0:f9:4a:b3:6d:2f:ba:19:b1",
	"SHA256:u+MUVwk5/twEIJi0s1+Rx0t3QASG6K2eFJEOGYjDJm0", 521},
    {"ssh-ed25519",
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIBAE/tSzgrWxr+Ule7H50mgdJDEguOCGD74sBUe6boXN\n"
	"-----END PRIVATE KEY-----\n",
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILZDEB4kQs8y7XssDl8n0B8kCv1Jt7I2bfjUxsBSFSXr test@ed25519",
	"10:56:7f:e9:59:b5:a5:ae:71:73:e6:74:8a:14:45:6e",
	"SHA256:ivSgGZ3UhS7n3C8xwhWtOgGY/6mkoc3UxJd6Hc5K8C4", 256},
};
#define NTEST_KEYS (sizeof(TEST_KEYS) / sizeof(TEST_KEYS[0]))

#endif
