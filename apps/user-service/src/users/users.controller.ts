import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, tagRequestUser, UUID_SCHEMA, uuidParam } from '@tracehop/service-kit';
import { RegisterUserDto } from './register-user.dto';
import { UserView } from './user.view';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiCreatedResponse({ type: UserView })
  @ApiProblemResponses({
    400: 'validation: a field is missing, invalid or unknown (`errors` names each), or the body is not JSON',
    409: 'duplicate-email: the e-mail address is registered already, in any letter case',
  })
  async register(@Body() request: RegisterUserDto): Promise<UserView> {
    const user = await this.users.register(request);
    tagRequestUser(user.id);
    return user;
  }

  @Get(':id')
  @ApiParam({ name: 'id', schema: UUID_SCHEMA })
  @ApiOkResponse({ type: UserView })
  @ApiProblemResponses({ 400: 'validation: the id is not a UUID', 404: 'user-not-found: no such user' })
  get(@Param('id', uuidParam('id')) id: string): Promise<UserView> {
    tagRequestUser(id);
    return this.users.get(id);
  }
}
