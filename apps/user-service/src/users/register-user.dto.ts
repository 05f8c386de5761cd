import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, Length } from 'class-validator';
import { TextProperty } from '@tracehop/service-kit';

// The OpenAPI schema states every validation rule beside its decorator; the conformance spec
// (schemathesis) checks they agree.
export class RegisterUserDto {
  @ApiProperty({ format: 'email', minLength: 3, maxLength: 254, example: 'ada@example.com' })
  @IsEmail()
  @Length(3, 254)
  email!: string;

  @TextProperty({ minLength: 1, maxLength: 200, example: 'Ada Lovelace' })
  name!: string;
}
