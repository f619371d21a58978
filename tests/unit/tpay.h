/* A key pair and certificate for the tests of libpm-pay (unit and fuzz):
 * made once with the openssl CLI, never used anywhere else. */
#ifndef PM_TPAY_H
#define PM_TPAY_H

/* A test key (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048). */
static const char KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDKKodw2eFrNiTc\n"
	"GRnqA1mZDzpnCSlDhXxFjytNbgoP7WmXJtms5dS92PAZcpQEzYiDUV2QtDo1V5Ml\n"
	"iro/8eimai8Gw2D57B5oztnAS1eeAi9Wnh4nOjuopciQqb3n6Z6ZXQegsxL1XPko\n"
	"58g09jt4O6DUaPeMr7JpvFAgsmrQt0o+ItULHtVGRXUscGPBH4rQVFei+rRVllQb\n"
	"HlVV3ZcJPtoWVDvZs9ZemVUnWszwowMIxX2ofMobellDbUyyjFuniII+DA67iLK+\n"
	"w3VunOumegG9s9Ew9V5jmfrfRPH3X15QGRjK2vzlvk51prKmOM39KHEbLnrPCumB\n"
	"+iL8TjUrAgMBAAECggEAYilrUT7h5spH9HzVqdxNjXWo8G2w1QHEGQxOxM544Unw\n"
	"Or3Y9Mw106a50klhmMFplwWTblcsakknABQPokvmIKOvSNPmSwO8sjw529ZZaTX7\n"
	"YU3uKzLp09YHgEKDHM/BPAtBUGSTAINP0e5VNm4W6ybczTZYeL243gFbUL0BA20W\n"
	"ZfJV2CgNzFT7wkJPlHMqL0y9phf/7CbYO1mtyCnkhhtdJUxpwGo/EDz2AsyFMFrf\n"
	"mjhXiH76U2t4n4EwWj6/zoevfyP8PnGrR7EqjMZLv+KLPZb8Cu5dmSNkzOgLklJY\n"
	"UxKIuNWRRySU+MQwuX7ozQ6NjWVaKJAz7PcEIHlonQKBgQD2V9qrKww422EJd+im\n"
	"EROgbn7YX8nclPiNsEhn7TpDfzqmLTvLdUc+WAv2tL4YurQhWLVPbKkTphRVrX9a\n"
	"ugbsn6SJPelBUfN9OQsjYwjfNJcjlUvGrVfGqkUTjnzD1E63Sing2faLz4HO2vPg\n"
	"Y+9TJaZVfeleFa5hnvdSpIPi5wKBgQDSF1d4e1kAAIAj/9BJdAaZ0CJDAO+fcvoi\n"
	"nCrka3wGjb8Bu7vk98pM/LWI9XEQiu9N5gt10oP2FyFZxD7OLf6kM4B5Mm/J6+kY\n"
	"X3NyRPrQS8BKODRpefyTAnayUlDUpZgEssikFtyhF8xT7QU6pMqbEuqyy0Z90Heq\n"
	"kBbCp5dXHQKBgD1tTtOb2mJbIelQgyzV2UUKCIs/54AfjZMXQBbaKssl8KP7Z4um\n"
	"ZOuA3QrZqwVTmRMvoZZ6i/agVTXAG5+t/4gFjuvCCmYFX2f8T3C1g0LVRFLVKZ4T\n"
	"H24kizEDOM1EJZTC44p0D2xxg/bm1iVABi9/leh/iy+wzFj/YMC00UZFAoGBAM+I\n"
	"dUSz/EfvNqXZFwToU3jvzFiJ/StyZbt4rzozHzJOJWft7n8Rc8q3PBCN/GGODTTT\n"
	"UXDTQr3/PVeybyQ29Tt5EKkodJtvqjQEXkN79pN6sPngKY4kDaefIGeovuZAqjnB\n"
	"7keBufJ8UsB4+9hhXy7u8d8qxHiWTQ+1BHbHHM3VAoGBAOHj7LotxbHBwgGxENDD\n"
	"uV9yrEZRrDMPHS67xq0RfrPfahs84j++7jyJ8UWXjSAOJLTUpi6ys1xvRRGlqAM0\n"
	"D6ettZRz2oNVOE2c9eW4bO7wxW9GiXPC/z5E7bi3xSWC/+NaigCN3fDYYxbUNHo2\n"
	"YNK4uX+rb9l8DiSROHdVYvXQ\n"
	"-----END PRIVATE KEY-----\n";

/* Its certificate: openssl req -x509 -key key.pem -days 36500 -subj '/CN=pm test vector'
 * -set_serial 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1 */
static const char CERT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDFTCCAf2gAwIBAgIUUVfwnv3Alt4V6+gaRwV6cjLxuOEwDQYJKoZIhvcNAQEL\n"
	"BQAwGTEXMBUGA1UEAwwOcG0gdGVzdCB2ZWN0b3IwIBcNMjYxMjA1MTQ0MTAzWhgP\n"
	"MjEyNjExMTExNDQxMDNaMBkxFzAVBgNVBAMMDnBtIHRlc3QgdmVjdG9yMIIBIjAN\n"
	"BgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyiqHcNnhazYk3BkZ6gNZmQ86Zwkp\n"
	"Q4V8RY8rTW4KD+1plybZrOXUvdjwGXKUBM2Ig1FdkLQ6NVeTJYq6P/HopmovBsNg\n"
	"+eweaM7ZwEtXngIvVp4eJzo7qKXIkKm95+memV0HoLMS9Vz5KOfINPY7eDug1Gj3\n"
	"jK+yabxQILJq0LdKPiLVCx7VRkV1LHBjwR+K0FRXovq0VZZUGx5VVd2XCT7aFlQ7\n"
	"2bPWXplVJ1rM8KMDCMV9qHzKG3pZQ21Msoxbp4iCPgwOu4iyvsN1bpzrpnoBvbPR\n"
	"MPVeY5n630Tx919eUBkYytr85b5OdaaypjjN/ShxGy56zwrpgfoi/E41KwIDAQAB\n"
	"o1MwUTAdBgNVHQ4EFgQUAUFHxYBrCoZqQ7ktjaJvhBrX3CQwHwYDVR0jBBgwFoAU\n"
	"AUFHxYBrCoZqQ7ktjaJvhBrX3CQwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0B\n"
	"AQsFAAOCAQEAF84UF8KI7htzUYwdVK4k3mZIxavZusSWZexTOaoPwAexUxJrp35z\n"
	"BHqlandoDXWrCcCv62tOWms/qSQrUkf4a1/Q4EnmgD+anANfTiJ2cDjDyTOIWSI+\n"
	"UHTD0jCBoM4x66DZTMRg51vlsXtqC0HTj+TL2IJofIUppWx9l5OYLpaG2lpd/QDW\n"
	"ONfS2KllOSZ3inx35D+2+phkeo/iIIj9NnfrYG+REmjEzhfBJmc4NPEzGt3nROG0\n"
	"23x18XCkgyc8uV7b4SL9ckkPa+Lt8OmCD8gf8jYk7sp85xEimTZti2VMmKmINz3M\n"
	"yNDiY4jPq3yy4htkj4PuBB6VRg8naiAzNA==\n"
	"-----END CERTIFICATE-----\n";

/* Its public key as bare base64, as Alipay gives its key. */
static const char PUB_B64[] =
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyiqHcNnhazYk3BkZ6gNZmQ86ZwkpQ4V8RY8rTW4KD+1ply"
	"bZrOXUvdjwGXKUBM2Ig1FdkLQ6NVeTJYq6P/HopmovBsNg+eweaM7ZwEtXngIvVp4eJzo7qKXIkKm95+memV0HoLMS"
	"9Vz5KOfINPY7eDug1Gj3jK+yabxQILJq0LdKPiLVCx7VRkV1LHBjwR+K0FRXovq0VZZUGx5VVd2XCT7aFlQ72bPWXp"
	"lVJ1rM8KMDCMV9qHzKG3pZQ21Msoxbp4iCPgwOu4iyvsN1bpzrpnoBvbPRMPVeY5n630Tx919eUBkYytr85b5Odaay"
	"pjjN/ShxGy56zwrpgfoi/E41KwIDAQAB";

#endif
